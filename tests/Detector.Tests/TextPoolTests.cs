using System.Text;
using RiskWatch.Detector.Histories;

namespace RiskWatch.Detector.Tests;

public sealed class TextPoolTests
{
    [Fact]
    public void The_same_bytes_give_the_same_string_and_every_text_reads_back_as_it_was()
    {
        var pool = new TextPool();
        var texts = new[] { "active", "head", "1950-03-01", "계양구 주민", "", new string('x', 200) };

        foreach (var text in texts)
        {
            var first = pool.Get(Encoding.UTF8.GetBytes(text));
            var again = pool.Get(Encoding.UTF8.GetBytes(text));

            Assert.Equal(text, first);
            Assert.Equal(text, again);
            Assert.True(Encoding.UTF8.GetByteCount(text) > 15 || ReferenceEquals(first, again), text);
        }

        Assert.NotEqual(pool.Get("active"u8), pool.Get("activ"u8));
    }
}

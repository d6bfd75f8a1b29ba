using RiskWatch.Ingest.Store;

namespace RiskWatch.Ingest.Tests.Store;

public sealed class StoreLocationTests
{
    [Fact]
    public void Sqlite_uri_keeps_a_relative_path_as_given()
    {
        var location = StoreLocation.Parse("sqlite:./data/riskwatch.db");

        Assert.Equal(StoreKind.Sqlite, location.Kind);
        Assert.Equal("sqlite:./data/riskwatch.db", location.Display);
        Assert.Contains("Data Source=./data/riskwatch.db", location.ConnectionString, StringComparison.Ordinal);
    }

    [Fact]
    public void Postgres_uri_becomes_a_connection_string_and_displays_without_password()
    {
        var location = StoreLocation.Parse("postgres://rw:s3cr%40t@db.local:6543/riskwatch");

        Assert.Equal(StoreKind.Postgres, location.Kind);
        Assert.Contains("Password=s3cr@t", location.ConnectionString, StringComparison.Ordinal);
        Assert.Contains("Port=6543", location.ConnectionString, StringComparison.Ordinal);
        Assert.Equal("postgres://rw@db.local:6543/riskwatch", location.Display);
        Assert.DoesNotContain("s3cr", location.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Sqlserver_uri_uses_the_default_port_when_none_is_given()
    {
        var location = StoreLocation.Parse("sqlserver://sa:pw@localhost/riskwatch");

        Assert.Equal(StoreKind.SqlServer, location.Kind);
        Assert.Equal("sqlserver://sa@localhost:1433/riskwatch", location.Display);
        Assert.DoesNotContain("pw", location.Display, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("sqlite:", "has no path")]
    [InlineData("mysql://u:hunter2@h/db", "Unknown store URI scheme 'mysql'")]
    [InlineData("./data/riskwatch.db", "has no scheme")]
    [InlineData("postgres://hunter2@/db", "not valid")]
    [InlineData("postgres://:hunter2@host/db", "names no user")]
    [InlineData("postgres://u:hunter2@host", "names no database")]
    [InlineData("sqlserver://u:hunter2@host:1433/", "names no database")]
    public void Bad_uri_fails_with_one_clear_line_that_never_shows_the_password(string uri, string message)
    {
        var exception = Assert.Throws<ArgumentException>(() => StoreLocation.Parse(uri));

        Assert.Contains(message, exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', exception.Message);
    }
}

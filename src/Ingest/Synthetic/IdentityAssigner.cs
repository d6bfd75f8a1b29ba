using System.Globalization;

namespace RiskWatch.Ingest.Synthetic;

/// <summary>
/// Gives every person a resident registration number and (when they have a line) a mobile number, unique across the
/// district. Digits are drawn per household; the uniqueness check runs in household order, so it is deterministic.
/// </summary>
internal static class IdentityAssigner
{
    public static void Assign(int seed, IReadOnlyList<SimHousehold> households)
    {
        var rrns = new HashSet<long>();
        var phones = new HashSet<int>();
        foreach (var h in households)
        {
            var random = RandomStreams.For(seed, h.Index, RandomStream.Identity);
            foreach (var p in h.Members)
            {
                p.Rrn = Rrn(random, p, rrns);
                var number = random.Next(0, 100_000_000);
                while (!phones.Add(number))
                {
                    number = (number + 1) % 100_000_000;
                }

                // Drawn for everyone so one person's phone never shifts another's digits.
                if (p.PhoneListed)
                {
                    p.Phone = string.Create(CultureInfo.InvariantCulture, $"010-{number / 10_000:D4}-{number % 10_000:D4}");
                }
            }
        }
    }

    private static string Rrn(Random random, SimPerson p, HashSet<long> taken)
    {
        // YYMMDD, then 1/2 (men/women born in the 1900s) or 3/4 (born from 2000), then six digits.
        var century = p.BirthDate.Year >= 2000 ? 3 : 1;
        var genderDigit = century + (p.Sex == 'M' ? 0 : 1);
        var prefix = (((((p.BirthDate.Year % 100 * 100L) + p.BirthDate.Month) * 100) + p.BirthDate.Day) * 10) + genderDigit;
        var serial = random.Next(0, 1_000_000);
        var rrn = (prefix * 1_000_000) + serial;
        while (!taken.Add(rrn))
        {
            serial = (serial + 1) % 1_000_000;
            rrn = (prefix * 1_000_000) + serial;
        }

        return rrn.ToString("D13", CultureInfo.InvariantCulture);
    }
}

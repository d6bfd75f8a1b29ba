using RiskWatch.Scoring.Features;

namespace RiskWatch.Benchmarks;

/// <summary>Plausible household histories made in memory, so hot-path benchmarks measure the code, not a database.</summary>
internal static class Histories
{
    public static HouseholdHistory[] Make(int households, int days, int seed)
    {
        var random = new Random(seed);
        var start = new DateOnly(2026, 5, 27);
        var result = new HouseholdHistory[households];
        for (var h = 0; h < households; h++)
        {
            var size = random.Next(1, 5);
            var kwh = new float[days];
            var active = new sbyte[days];
            var water = new float[days];
            var callsOut = new short[days];
            var callsIn = new short[days];
            var sms = new short[days];
            var data = new float[days];
            for (var d = 0; d < days; d++)
            {
                kwh[d] = (float)(5 + (size * 1.2) + random.NextDouble() * 3);
                active[d] = (sbyte)random.Next(4, 18);
                water[d] = h % 3 == 0 ? (float)(120 * size + random.NextDouble() * 50) : float.NaN;
                callsOut[d] = (short)random.Next(0, 6);
                callsIn[d] = (short)random.Next(0, 6);
                sms[d] = (short)random.Next(0, 4);
                data[d] = (float)(random.NextDouble() * 600);
            }

            result[h] = new HouseholdHistory
            {
                HouseholdKey = h.ToString("x64", System.Globalization.CultureInfo.InvariantCulture),
                DongCode = "28245" + (510 + (h % 12) * 10).ToString(System.Globalization.CultureInfo.InvariantCulture) + "00",
                Profile = new HouseholdProfile(size, new DateOnly(1940 + random.Next(0, 60), 1 + random.Next(0, 12), 1),
                    random.Next(2) == 0 ? Sex.Male : Sex.Female, (HousingType)random.Next(0, 8), start.AddYears(-3), size == 1 ? 1 : 0),
                Start = start,
                Kwh = kwh,
                ActiveHours = active,
                WaterLiters = water,
                CallsOut = callsOut,
                CallsIn = callsIn,
                SmsOut = sms,
                DataMb = data,
                TelecomLines = size,
                Arrears = h % 40 == 0
                    ? [new ArrearsObservation(ArrearsSource.HealthInsurance, start.AddDays(days - 20), 3, 180_000, SupplyAction.Notice)]
                    : [],
                Welfare = h % 25 == 0 ? [new WelfareObservation(WelfareEventKind.BasicLivelihoodStart, start.AddYears(-1))] : [],
                Reports = [],
            };
        }

        return result;
    }
}

namespace RiskWatch.Ingest.Synthetic;

/// <summary>
/// Surnames weighted by the 2015 census frequencies (김 21.5%, 이 14.7%, 박 8.4%, …) and popular given names by sex and birth
/// cohort, so a 1950s grandmother is 영숙 and a 2010s boy 민준. Names are fictitious combinations, never real residents.
/// </summary>
internal static class KoreanNames
{
    private static readonly string[] Surnames =
    [
        "김", "이", "박", "최", "정", "강", "조", "윤", "장", "임", "한", "오", "서", "신", "권", "황", "안", "송", "전", "홍",
        "유", "고", "문", "양", "손", "배", "백", "허", "남", "심", "노", "하", "곽", "성", "차", "주", "우", "구", "민", "류",
        "나", "진", "지", "엄", "채", "원", "천", "방", "공", "현",
    ];

    private static readonly double[] SurnameWeights =
    [
        21.5, 14.7, 8.4, 4.7, 4.3, 2.4, 2.1, 2.1, 2.0, 1.7, 1.5, 1.5, 1.5, 1.4, 1.4, 1.4, 1.4, 1.3, 1.1, 1.1,
        1.1, 0.9, 0.9, 0.9, 0.9, 0.8, 0.7, 0.6, 0.5, 0.5, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.3, 0.3,
        0.3, 0.3, 0.3, 0.3, 0.3, 0.2, 0.2, 0.2, 0.2, 0.2,
    ];

    private static readonly string[][] Male =
    [
        ["영수", "영호", "영식", "영철", "정수", "정호", "상철", "성수", "광수", "종수", "영길", "병철", "재호", "용수", "순철", "만수", "길수", "정남", "춘식", "동수"],
        ["성호", "성민", "정훈", "상훈", "성진", "동현", "영훈", "재영", "준호", "성훈", "정민", "종현", "상우", "진호", "재훈", "승호", "민수", "대성", "현철", "기철"],
        ["지훈", "현우", "동현", "준호", "민수", "성민", "준영", "민재", "상민", "재현", "승민", "정우", "태현", "민혁", "진우", "우진", "민석", "현준", "성현", "지성"],
        ["민준", "서준", "도윤", "예준", "시우", "하준", "주원", "지호", "지후", "준우", "준서", "건우", "현우", "우진", "선우", "유준", "연우", "은우", "지훈", "도현"],
    ];

    private static readonly string[][] Female =
    [
        ["영숙", "정숙", "순자", "영자", "옥순", "영희", "정자", "순희", "명숙", "경자", "춘자", "말순", "정희", "순옥", "옥자", "영순", "미자", "금순", "복순", "화자"],
        ["미숙", "경숙", "미경", "은정", "미영", "현주", "은영", "정미", "지영", "미정", "선영", "혜정", "경희", "수진", "영미", "은주", "정은", "미란", "혜영", "선희"],
        ["지영", "수진", "지은", "혜진", "은지", "민정", "유진", "지현", "수정", "민지", "현정", "소영", "지혜", "은영", "미진", "서영", "보람", "아름", "다은", "지수"],
        ["서연", "서윤", "지우", "서현", "민서", "하은", "하윤", "윤서", "지민", "지유", "채원", "수아", "지아", "예린", "다인", "서아", "하린", "예은", "수빈", "시은"],
    ];

    public static string Surname(Random random) => Surnames[random.Pick(SurnameWeights)];

    public static string GivenName(Random random, char sex, int birthYear)
    {
        var cohort = birthYear switch
        {
            < 1960 => 0,
            < 1980 => 1,
            < 2000 => 2,
            _ => 3,
        };
        var names = sex == 'M' ? Male[cohort] : Female[cohort];
        return names[random.Next(names.Length)];
    }
}

/// <summary>Road names for addresses (stems of real 계양구 roads; the house numbers are made up).</summary>
internal static class RoadNames
{
    private static readonly string[] Stems =
    [
        "경명대", "계양대", "봉오대", "장제", "계산새", "안남", "아나지", "오조산", "효서", "용종", "새벌", "주부토",
        "작전서운", "도두리", "살라리", "당미", "황어", "다남", "벌말", "양지", "계양문화", "임학", "동양", "서운",
    ];

    public static string[] ForDong(Random random)
    {
        var count = random.Between(3, 5);
        var roads = new string[count];
        for (var i = 0; i < count; i++)
        {
            roads[i] = Stems[random.Next(Stems.Length)] + "로";
        }

        return roads;
    }
}

/// <summary>Dong codes: the district code + 510, 520, … 990 + "00", matching the samples (2824551000).</summary>
internal static class DongCodes
{
    public const int MaxDongs = 49;

    public static string For(string districtCode, int dongIndex) =>
        string.Concat(districtCode, (510 + (10 * dongIndex)).ToString(System.Globalization.CultureInfo.InvariantCulture), "00");
}

using System.Text;
using GovernancePortal.Audit;

namespace GovernancePortal.UnitTests.Audit;

public class CanonicalJsonTests
{
    // RFC 8785 Appendix B: IEEE 754 bit patterns and their required serialisation.
    [Theory]
    [InlineData(0x0000000000000000UL, "0")]
    [InlineData(0x8000000000000000UL, "0")]
    [InlineData(0x0000000000000001UL, "5e-324")]
    [InlineData(0x8000000000000001UL, "-5e-324")]
    [InlineData(0x7fefffffffffffffUL, "1.7976931348623157e+308")]
    [InlineData(0xffefffffffffffffUL, "-1.7976931348623157e+308")]
    [InlineData(0x4340000000000000UL, "9007199254740992")]
    [InlineData(0xc340000000000000UL, "-9007199254740992")]
    [InlineData(0x4430000000000000UL, "295147905179352830000")]
    [InlineData(0x44b52d02c7e14af5UL, "9.999999999999997e+22")]
    [InlineData(0x44b52d02c7e14af6UL, "1e+23")]
    [InlineData(0x44b52d02c7e14af7UL, "1.0000000000000001e+23")]
    [InlineData(0x444b1ae4d6e2ef4eUL, "999999999999999700000")]
    [InlineData(0x444b1ae4d6e2ef4fUL, "999999999999999900000")]
    [InlineData(0x444b1ae4d6e2ef50UL, "1e+21")]
    [InlineData(0x3eb0c6f7a0b5ed8cUL, "9.999999999999997e-7")]
    [InlineData(0x3eb0c6f7a0b5ed8dUL, "0.000001")]
    [InlineData(0x41b3de4355555553UL, "333333333.3333332")]
    [InlineData(0x41b3de4355555554UL, "333333333.33333325")]
    [InlineData(0x41b3de4355555555UL, "333333333.3333333")]
    [InlineData(0x41b3de4355555556UL, "333333333.3333334")]
    [InlineData(0x41b3de4355555557UL, "333333333.33333343")]
    [InlineData(0xbecbf647612f3696UL, "-0.0000033333333333333333")]
    [InlineData(0x43143ff3c1cb0959UL, "1424953923781206.2")]
    public void Numbers_follow_the_RFC_8785_appendix_B_samples(ulong bits, string expected)
    {
        Assert.Equal(expected, CanonicalJson.FormatNumber(BitConverter.UInt64BitsToDouble(bits)));
    }

    [Theory]
    [InlineData("1e21", "1e+21")]
    [InlineData("1e20", "100000000000000000000")]
    [InlineData("1E30", "1e+30")]
    [InlineData("1e-7", "1e-7")]
    [InlineData("0.000001", "0.000001")]
    [InlineData("-0", "0")]
    [InlineData("-0.0", "0")]
    [InlineData("333333333.33333329", "333333333.3333333")]
    [InlineData("4.50", "4.5")]
    [InlineData("2e-3", "0.002")]
    [InlineData("0.000000000000000000000000001", "1e-27")]
    [InlineData("100", "100")]
    [InlineData("-1.5E+2", "-150")]
    [InlineData("123456789012345678901234", "1.2345678901234569e+23")]
    [InlineData("0.1", "0.1")]
    [InlineData("1E400", null)]
    public void Numbers_are_written_in_their_ECMAScript_form(string json, string? expected)
    {
        if (expected is null)
        {
            Assert.ThrowsAny<Exception>(() => CanonicalJson.Canonicalize(json));
            return;
        }
        Assert.Equal(expected, CanonicalJson.Canonicalize(json));
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void Non_finite_numbers_have_no_canonical_form(double value)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => CanonicalJson.FormatNumber(value));
    }

    [Fact]
    public void RFC_8785_section_3_2_2_example_is_canonicalized_exactly()
    {
        const string input = """
            {
              "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
              "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
              "literals": [null, true, false]
            }
            """;

        Assert.Equal(
            """{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}""",
            CanonicalJson.Canonicalize(input));
    }

    [Fact]
    public void Members_are_sorted_by_UTF16_code_units_as_in_RFC_8785_section_3_2_3()
    {
        const string input = """
            {
              "\u20ac": "Euro Sign",
              "\r": "Carriage Return",
              "\ufb33": "Hebrew Letter Dalet With Dagesh",
              "1": "One",
              "\ud83d\ude00": "Emoji: Grinning Face",
              "\u0080": "Control",
              "\u00f6": "Latin Small Letter O With Diaeresis"
            }
            """;

        var expected = "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u0080\":\"Control\","
            + "\"\u00f6\":\"Latin Small Letter O With Diaeresis\",\"\u20ac\":\"Euro Sign\","
            + "\"\ud83d\ude00\":\"Emoji: Grinning Face\",\"\ufb33\":\"Hebrew Letter Dalet With Dagesh\"}";
        Assert.Equal(expected, CanonicalJson.Canonicalize(input));
    }

    [Fact]
    public void Nested_members_are_sorted_and_whitespace_removed()
    {
        const string input = """ { "b" : [ { "z" : 1 , "a" : [ ] } ] , "a" : { "d" : { } , "c" : "x" } } """;

        Assert.Equal("""{"a":{"c":"x","d":{}},"b":[{"a":[],"z":1}]}""", CanonicalJson.Canonicalize(input));
    }

    [Fact]
    public void Control_characters_use_short_escapes_or_lowercase_unicode_escapes()
    {
        var b = new StringBuilder();

        CanonicalJson.WriteString(b, "\u0000\u0001\b\t\n\u000b\f\r\u001f \"\\/\u007f\u00e9\u2028");

        Assert.Equal("\"\\u0000\\u0001\\b\\t\\n\\u000b\\f\\r\\u001f \\\"\\\\/\u007f\u00e9\u2028\"", b.ToString());
    }

    [Fact]
    public void Canonical_output_is_a_fixed_point()
    {
        const string input = """{"é":[1.0,-0,"\u001f",{"B":true,"A":null}],"E":1e-7}""";

        var once = CanonicalJson.Canonicalize(input);

        Assert.Equal("""{"E":1e-7,"é":[1,0,"\u001f",{"A":null,"B":true}]}""", once);
        Assert.Equal(once, CanonicalJson.Canonicalize(once));
    }
}

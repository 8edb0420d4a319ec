using System.Security.Cryptography;
using System.Text;

namespace GovernancePortal.Webhooks;

public sealed class WebhookSignatureTests
{
    [Fact]
    public void Signs_as_the_standard_webhooks_reference_example()
    {
        // The example from the Standard Webhooks reference libraries' tests.
        Assert.Equal("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
            WebhookSignature.Sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, "{\"test\": 2432232314}"));
    }

    [Fact]
    public void A_new_secret_is_a_fresh_32_byte_key_and_the_header_carries_one_signature_per_secret()
    {
        var (a, b) = (WebhookSignature.NewSecret(), WebhookSignature.NewSecret());
        Assert.NotEqual(a, b);
        Assert.StartsWith("whsec_", a);
        Assert.Equal(32, WebhookSignature.KeyOf(a).Length);
        var header = WebhookSignature.Header([a, b], "msg_1", 42, "{}");
        var expected = Convert.ToBase64String(HMACSHA256.HashData(WebhookSignature.KeyOf(b), Encoding.UTF8.GetBytes("msg_1.42.{}")));
        Assert.Equal($"{WebhookSignature.Sign(a, "msg_1", 42, "{}")} v1,{expected}", header);
        Assert.Throws<FormatException>(() => WebhookSignature.KeyOf("not-a-secret"));
    }
}

namespace GovernancePortal.Components.UI;

/// <summary>
/// A short-lived message carried across a post-redirect-get in a cookie, shown once by <see cref="StatusMessage"/>.
/// </summary>
public static class StatusMessages
{
    public const string CookieName = "gp.status";

    public static void Set(HttpContext http, string message, bool isError = false) =>
        http.Response.Cookies.Append(CookieName, (isError ? "error:" : "ok:") + message, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = http.Request.IsHttps,
            MaxAge = TimeSpan.FromSeconds(60),
            Path = "/",
        });
}

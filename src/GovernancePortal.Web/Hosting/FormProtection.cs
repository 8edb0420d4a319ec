using Microsoft.AspNetCore.Antiforgery;

namespace GovernancePortal.Hosting;

/// <summary>
/// Antiforgery for form posts whose handler binds no form field: minimal APIs check the token only while binding one, so
/// without this a cross-site form could post to them (sign-out) or a missing token surfaced as an exception (a 500).
/// </summary>
public static class FormProtection
{
    public static TBuilder RequireAntiforgeryToken<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
            await context.HttpContext.RequestServices.GetRequiredService<IAntiforgery>().IsRequestValidAsync(context.HttpContext)
                ? await next(context)
                : TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The form could not be verified",
                    detail: "The form did not come from the portal, or it expired; reload the page and try again."));
}

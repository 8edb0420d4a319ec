namespace GovernancePortal;

/// <summary>Why a command did nothing, in words a person can act on.</summary>
public enum FailureKind
{
    /// <summary>Bad input: 400 with the fields in <see cref="Failure.Errors"/>.</summary>
    Invalid,
    Forbidden,
    NotFound,
    /// <summary>The thing changed or exists already: 409.</summary>
    Conflict,
    /// <summary>A governance rule refuses it (a gate, a state): 422.</summary>
    Rule,
    /// <summary>A dependency cannot do it now (no browser, a timeout); nothing was stored: 503.</summary>
    Unavailable,
}

/// <summary>Why a command did nothing. <see cref="Errors"/> names each bad field.</summary>
public sealed record Failure(FailureKind Kind, string Message, Dictionary<string, string[]>? Errors = null);

/// <summary>What a command made, or why it made nothing: shared by pages (form errors) and the API (problem details).</summary>
public sealed record Result<T>(T? Value, Failure? Failure) where T : class
{
    public static implicit operator Result<T>(T value) => new(value, null);
    public static implicit operator Result<T>(Failure failure) => new(null, failure);
}

public static class FailureProblems
{
    /// <summary>The one mapping of a <see cref="Failure"/> to RFC 7807 problem details.</summary>
    public static IResult ToProblem(this Failure failure) => failure.Kind switch
    {
        FailureKind.Invalid => TypedResults.ValidationProblem(failure.Errors ?? new() { ["$"] = [failure.Message] }, title: failure.Message),
        FailureKind.Rule => TypedResults.Problem(new HttpValidationProblemDetails(failure.Errors ?? [])
        {
            Status = StatusCodes.Status422UnprocessableEntity,
            Title = failure.Message,
        }),
        FailureKind.Forbidden => TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not allowed", detail: failure.Message),
        FailureKind.NotFound => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: failure.Message),
        FailureKind.Unavailable => TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Not available now", detail: failure.Message),
        _ => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict", detail: failure.Message),
    };
}

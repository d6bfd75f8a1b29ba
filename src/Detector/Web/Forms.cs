using Microsoft.AspNetCore.Antiforgery;

namespace RiskWatch.Detector.Web;

/// <summary>Reads a posted form only after its anti-forgery token checks out: every form here changes something.</summary>
internal static class Forms
{
    public static async Task<IFormCollection?> ReadAsync(HttpContext context)
    {
        try
        {
            await context.RequestServices.GetRequiredService<IAntiforgery>().ValidateRequestAsync(context);
        }
        catch (AntiforgeryValidationException)
        {
            return null;
        }

        return await context.Request.ReadFormAsync(context.RequestAborted);
    }

    /// <summary>A return address that stays on this site, so a crafted sign-in link cannot send an officer elsewhere.</summary>
    public static string LocalOr(string? url, string fallback) =>
        !string.IsNullOrEmpty(url) && url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal)
            ? url
            : fallback;
}

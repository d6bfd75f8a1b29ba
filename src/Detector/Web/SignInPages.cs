using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using RiskWatch.Detector.Accounts;

namespace RiskWatch.Detector.Web;

/// <summary>Sign-in with a local account, sign-out, and the language switch.</summary>
internal static class SignInPages
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/signin", (HttpContext context, string? returnUrl) => Form(new Html(context), returnUrl, failed: false));
        app.MapPost("/signin", async (HttpContext context, UserStore users, Serilog.ILogger logger) =>
        {
            var form = await Forms.ReadAsync(context);
            if (form is null)
            {
                return Results.BadRequest();
            }

            var returnUrl = form["returnUrl"].ToString();
            var user = await users.VerifyAsync(form["name"].ToString(), form["password"].ToString(), context.RequestAborted);
            if (user is null)
            {
                logger.Warning("Sign-in refused");
                return Form(new Html(context), returnUrl, failed: true);
            }

            var claims = new List<Claim> { new(ClaimTypes.Name, user.Name), new(ClaimTypes.Role, user.Role) };
            claims.AddRange(user.Dongs.Select(d => new Claim(Viewer.DongClaim, d)));
            await context.SignInAsync(
                CookieAuthenticationDefaults.AuthenticationScheme,
                new ClaimsPrincipal(new ClaimsIdentity(claims, CookieAuthenticationDefaults.AuthenticationScheme)));
            logger.Information("User {UserId} signed in as {Role}", user.UserId, user.Role);
            var home = user.Role == AppUser.Analyst ? "/analyst" : "/lists";
            return Results.Redirect(Forms.LocalOr(returnUrl, home));
        });
        app.MapPost("/signout", async (HttpContext context) =>
        {
            if (await Forms.ReadAsync(context) is null)
            {
                return Results.BadRequest();
            }

            await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.Redirect("/signin");
        });
        app.MapGet("/lang", (HttpContext context, string? to, string? back) =>
        {
            context.Response.Cookies.Append(Html.LanguageCookie, to == "en" ? "en" : "ko", new CookieOptions
            {
                HttpOnly = true, SameSite = SameSiteMode.Lax, MaxAge = TimeSpan.FromDays(365),
            });
            return Results.Redirect(Forms.LocalOr(back, "/lists"));
        });
    }

    private static IResult Form(Html html, string? returnUrl, bool failed)
    {
        var body = $"""
            <h1>{html.T("로그인", "Sign in")}</h1>
            {(failed ? $"<p class=\"error\" id=\"signin-error\">{html.T("이름 또는 비밀번호가 맞지 않습니다.", "Wrong name or password.")}</p>" : "")}
            <form method="post" action="/signin" class="card" style="max-width:22rem">
              {html.Token()}
              <input type="hidden" name="returnUrl" value="{Html.E(returnUrl)}">
              <p><label>{html.T("이름", "Name")}<br><input name="name" id="name" autocomplete="username" required></label></p>
              <p><label>{html.T("비밀번호", "Password")}<br><input name="password" id="password" type="password" autocomplete="current-password" required></label></p>
              <p><button type="submit" id="signin">{html.T("로그인", "Sign in")}</button></p>
            </form>
            """;
        return html.Page(html.T("로그인", "Sign in"), body, failed ? StatusCodes.Status401Unauthorized : StatusCodes.Status200OK);
    }
}

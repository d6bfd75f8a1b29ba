using Hangfire.Dashboard;
using RiskWatch.Detector.Accounts;

namespace RiskWatch.Detector.Web;

/// <summary>The Hangfire dashboard can retry and delete jobs, so only a signed-in admin gets in (not just any local caller).</summary>
internal sealed class AdminDashboardFilter : IDashboardAuthorizationFilter
{
    public bool Authorize(DashboardContext context) => context.GetHttpContext().User.IsInRole(AppUser.Admin);
}

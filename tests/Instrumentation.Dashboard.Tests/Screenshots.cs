using Instrumentation.Tests.Shared;
using Microsoft.Playwright;

namespace Instrumentation.Dashboard.Tests;

/// <summary>
/// Where the browser tests leave their screenshots: artifacts/dashboard-screenshots always, and docs/images as well
/// when INSTR_UPDATE_SCREENSHOTS=1, so the pictures in the documents are refreshed on purpose, not by every run.
/// </summary>
internal static class Screenshots
{
    public static async Task Take(IPage page, string name, bool fullPage = false)
    {
        var artifact = RepositoryPaths.Combine("artifacts", "dashboard-screenshots", name + ".png");
        Directory.CreateDirectory(Path.GetDirectoryName(artifact)!);
        var bytes = await page.ScreenshotAsync(new PageScreenshotOptions { Path = artifact, FullPage = fullPage });
        Assert.True(bytes.Length > 1000, $"the screenshot {name} is empty");
        if (Environment.GetEnvironmentVariable("INSTR_UPDATE_SCREENSHOTS") == "1")
        {
            var document = RepositoryPaths.Combine("docs", "images", name + ".png");
            Directory.CreateDirectory(Path.GetDirectoryName(document)!);
            await File.WriteAllBytesAsync(document, bytes);
        }
    }
}

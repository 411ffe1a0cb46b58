using Instrumentation.Model;
using Instrumentation.TestSupport;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Instrumentation.Dashboard.Tests;

/// <summary>
/// The dashboard as a person sees it: the sample on Kestrel, the page in headless Chromium, real requests sent, and
/// what the page shows read back from the DOM.
/// </summary>
[Collection(ChromiumCollection.Name)]
public sealed class DashboardBrowserTests(Chromium chromium)
{
    private static readonly LocatorAssertionsToHaveTextOptions Soon = new() { Timeout = 15_000 };

    [Fact]
    public async Task The_table_lists_every_route_and_its_numbers_move_with_traffic()
    {
        await using var server = SampleServer.Start();
        var (page, errors) = await Open(server, 1280, 900);

        var make = page.Locator("#rows tr[data-template='/style/{id}/make'][data-method='GET']");
        await Expect(make.Locator("td.requests")).ToHaveTextAsync("0", Soon);
        foreach (var route in EndpointCatalog.Routes.Where(r => r.Template != "/{unmatched}"))
        {
            Assert.Equal(1, await page.Locator($"#rows tr[data-method='{route.Method}'][data-template='{route.Template.Replace("'", "\\'", StringComparison.Ordinal)}']").CountAsync());
        }

        var healthz = page.Locator("#rows tr[data-template='/healthz']");
        await Expect(healthz).ToHaveClassAsync("off");
        await Expect(healthz).ToContainTextAsync("INSTR001");
        await Expect(page.Locator("#rows tr.group[data-kind='route']")).ToHaveCountAsync(1);
        await Expect(page.Locator("#rows tr.subgroup[data-group='Style']")).ToHaveCountAsync(1);

        await DashboardApi.Send(server.Client, HttpMethod.Get, "/style/9/make", 15);
        await DashboardApi.Send(server.Client, HttpMethod.Post, "/catalog/refresh", 3);
        await DashboardApi.Send(server.Client, HttpMethod.Get, "/nowhere", 2);

        await Expect(make.Locator("td.requests")).ToHaveTextAsync("15", Soon);
        await Expect(make.Locator("td.errorRatio")).ToHaveTextAsync("0.0%", Soon);
        Assert.NotEqual("—", await make.Locator("td.p95").TextContentAsync());
        Assert.True(double.Parse((await make.Locator("td.rate").TextContentAsync())!, System.Globalization.CultureInfo.InvariantCulture) > 0);
        var refresh = page.Locator("#rows tr[data-template='/catalog/refresh']");
        await Expect(refresh.Locator("td.requests")).ToHaveTextAsync("3", Soon);
        await Expect(refresh.Locator("td.errorRatio")).ToHaveTextAsync("100.0%", Soon);
        await Expect(page.Locator("#totals tr.unmatched td.requests")).ToHaveTextAsync("2", Soon);
        await Expect(page.Locator("#totals tr.totals td.requests")).ToHaveTextAsync("20", Soon);

        await Screenshots.Take(page, "dashboard", fullPage: true);
        Assert.Empty(errors);
    }

    [Fact]
    public async Task The_filter_box_keeps_only_the_matching_routes()
    {
        await using var server = SampleServer.Start();
        var (page, errors) = await Open(server, 1280, 900);
        var rows = page.Locator("#rows tr[data-template]");
        await Expect(rows.First).ToBeVisibleAsync();
        var all = await rows.CountAsync();

        await page.FillAsync("#filter", "catalog");
        await Expect(page.Locator("#rows tr[data-template='/style/{id}/make']")).ToHaveCountAsync(0);
        var templates = await rows.EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.template)");
        Assert.NotEmpty(templates);
        Assert.All(templates, template => Assert.Contains("catalog", template, StringComparison.Ordinal));

        await page.FillAsync("#filter", "POST");
        await Expect(page.Locator("#rows tr[data-template='/catalog/refresh']")).ToHaveCountAsync(1);
        await Expect(page.Locator("#rows tr[data-template='/catalog']")).ToHaveCountAsync(0);

        await page.FillAsync("#filter", "");
        await Expect(rows).ToHaveCountAsync(all);
        Assert.Empty(errors);
    }

    [Fact]
    public async Task Clicking_a_route_draws_its_charts_and_sorting_orders_the_table()
    {
        await using var server = SampleServer.Start();
        var (page, errors) = await Open(server, 1280, 900);
        var make = page.Locator("#rows tr[data-template='/style/{id}/make'][data-method='GET']");
        await Expect(make.Locator("td.requests")).ToHaveTextAsync("0", Soon);
        for (var round = 0; round < 3; round++)
        {
            await DashboardApi.Send(server.Client, HttpMethod.Get, "/style/5/make", 10);
            await DashboardApi.Send(server.Client, HttpMethod.Get, "/catalog", 2);
            await Task.Delay(1100);
        }

        await Expect(make.Locator("td.requests")).ToHaveTextAsync("30", Soon);
        await page.ClickAsync("thead th[data-key='requests']");
        // Sorting orders the rows within each group: the Style controller's busiest action comes first under it.
        var first = page.Locator("#rows tr.subgroup[data-group='Style'] + tr[data-template]");
        await Expect(first).ToHaveAttributeAsync("data-template", "/style/{id}/make");
        await page.ClickAsync("thead th[data-key='requests']"); // the other way: the busiest action goes last
        await Expect(first).Not.ToHaveAttributeAsync("data-template", "/style/{id}/make");
        await page.ClickAsync("thead th[data-key='requests']");
        await Expect(first).ToHaveAttributeAsync("data-template", "/style/{id}/make");

        await make.ClickAsync();
        await Expect(page.Locator("#detail")).ToBeVisibleAsync();
        await Expect(page.Locator("#detail-title")).ToContainTextAsync("GET /style/{id}/make");
        await Expect(page.Locator("#chart-latency canvas")).ToHaveCountAsync(1);
        await Expect(page.Locator("#chart-rate canvas")).ToHaveCountAsync(1);
        await Expect(page.Locator("#chart-latency-status canvas")).ToHaveCountAsync(1);
        await Expect(page.Locator("#chart-latency .u-legend")).ToContainTextAsync("p99");
        await Expect(page.Locator("#chart-rate .u-legend")).ToContainTextAsync("200");

        // Something was drawn: the latency canvas holds more than one colour.
        var colours = await page.Locator("#chart-latency canvas").EvaluateAsync<int>(
            "c => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; const s = new Set();" +
            " for (let i = 0; i < d.length; i += 16) s.add(d[i] + ',' + d[i+1] + ',' + d[i+2] + ',' + d[i+3]); return s.size; }");
        Assert.True(colours > 2, $"the latency chart drew {colours} colours");

        await page.Locator("#detail").ScrollIntoViewIfNeededAsync();
        await Screenshots.Take(page, "dashboard-route", fullPage: true);
        Assert.Empty(errors);
    }

    [Fact]
    public async Task A_sink_is_shown_down_then_up_and_no_token_reaches_the_page_on_a_narrow_screen()
    {
        const string token = "browser-secret-token-77e1";
        var port = FreePort.Next();
        await using var server = SampleServer.Start(new Dictionary<string, string?>
        {
            ["Instrumentation:Graphite:Enabled"] = "true",
            ["Instrumentation:Graphite:Host"] = "127.0.0.1",
            ["Instrumentation:Graphite:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Instrumentation:Graphite:ReportingIntervalSeconds"] = "1",
            ["Instrumentation:Wavefront:Server"] = $"https://127.0.0.1:{FreePort.Next()}",
            ["Instrumentation:Wavefront:Token"] = token,
            ["Instrumentation:Wavefront:ReportingIntervalSeconds"] = "1",
        });
        var (page, errors) = await Open(server, 400, 860);
        await DashboardApi.Send(server.Client, HttpMethod.Get, "/style/2/make", 5);

        var graphite = page.Locator("#sinks [data-sink='graphite']");
        await Expect(graphite).ToHaveAttributeAsync("data-state", "disconnected", new() { Timeout = 20_000 });
        await Expect(page.Locator("#sinks [data-sink='wavefront']")).ToHaveAttributeAsync("data-state", "disconnected", new() { Timeout = 20_000 });
        await Expect(graphite).ToContainTextAsync("last send: never");
        await Screenshots.Take(page, "dashboard-sink-down");

        await using var carbon = Graphite.Tests.LineCollector.Start(port);
        await Expect(graphite).ToHaveAttributeAsync("data-state", "connected", new() { Timeout = 40_000 });
        await Expect(graphite).Not.ToContainTextAsync("last send: never");

        Assert.DoesNotContain(token, await page.ContentAsync(), StringComparison.Ordinal);
        await Expect(page.Locator("#app-tags")).ToContainTextAsync("1.4.2");
        Assert.Empty(errors);
    }

    [Fact]
    public async Task A_route_template_with_markup_is_shown_as_text()
    {
        await using var app = await MarkupApp.Start();
        var (page, errors) = await Open(app.BaseAddress, 1280, 700);
        var row = page.Locator("#rows tr[data-template]").Filter(new() { HasText = MarkupApp.Template });
        await Expect(row).ToHaveCountAsync(1, new() { Timeout = 15_000 });
        Assert.Equal(MarkupApp.Template, await row.Locator("td.route").TextContentAsync());
        Assert.Equal(0, await page.Locator("#rows script").CountAsync());
        Assert.False(await page.EvaluateAsync<bool>("() => window.injected === true"));
        Assert.Empty(errors);
    }

    private Task<(IPage Page, List<string> Errors)> Open(SampleServer server, int width, int height) =>
        Open(server.BaseAddress, width, height);

    // Opens the dashboard and collects what would worry a person: script errors, CSP refusals, failed requests.
    private async Task<(IPage Page, List<string> Errors)> Open(Uri baseAddress, int width, int height)
    {
        var context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = height },
            Locale = "en-GB",
            TimezoneId = "UTC",
        });
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                lock (errors)
                {
                    errors.Add(message.Text);
                }
            }
        };
        page.PageError += (_, error) =>
        {
            lock (errors)
            {
                errors.Add(error);
            }
        };
        await page.GotoAsync(new Uri(baseAddress, DashboardApi.Path).ToString());
        await Expect(page.Locator("#status")).ToContainTextAsync("updated", new() { Timeout = 15_000 });
        return (page, errors);
    }
}

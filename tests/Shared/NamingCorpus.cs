namespace Instrumentation;

/// <summary>
/// The naming corpus: templates and the entities docs/naming.md gives them. Shared by the build-time naming tests and
/// the parity test that runs every template through both the generator's path and the startup path.
/// </summary>
public static class NamingCorpus
{
    /// <summary>Templates and the entities docs/naming.md gives them.</summary>
    public static TheoryData<string, string> Entities => new()
    {
        { "/style/{id}/make", "style.id.make" },
        { "api/orders/{id:int}", "api.orders.int:id" },
        { "/files/{**path}", "files.path:path" },
        { "/files/{*rest}", "files.path:rest" },
        { "/shirt-sizes", "shirt_sizes" },
        { "/", "root" },
        { "", "root" },
        { "~/", "root" },
        { "/orders/", "orders" },
        { "~/legacy/{id}", "legacy.id" },
        { "/users/{id:min(1)}", "users.min:id" },
        { "/codes/{code:regex(^a$)}", "codes.regex:code" },
        { "/codes/{code:regex(^\\d{{3}}$)}", "codes.regex:code" },
        { "/items/{id:int:min(1)}", "items.int:id" },
        { "/items/{id?}", "items.id" },
        { "/items/{id:int?}", "items.int:id" },
        { "/pages/{page=1}", "pages.page" },
        { "/pages/{page:int=1}", "pages.int:page" },
        { "/download/{name}.{ext}", "download.name.ext" },
        { "/download/{name}.{ext?}", "download.name.ext" },
        { "/file-{id}", "file_id" },
        { "/a", "a" },
        { "/a/b/{c}", "a.b.c" },
        { "/a-b/c-{d}-e", "a_b.c_d_e" },
        { "{controller=Home}/{action=Index}/{id?}", "controller.action.id" },
        { "/Home/Index/{id?}", "Home.Index.id" },
        { "/api/v{version:apiVersion}/orders", "api.vapiVersion:version.orders" },
        { "/braces/{{literal}}", "braces.{literal}" },
        { "/dates/{date:datetime}/{slug:length(3,20)}", "dates.datetime:date.length:slug" },
    };

    /// <summary>Templates whose other wire forms are worth checking too: odd characters, separators, catch-alls.</summary>
    public static IEnumerable<string> MoreTemplates =>
    [
        "/foo/{a:min(1):max(9)}", "/api/orders/{id:regex(^\\d+$)}", "/{*path}", "/robots.txt", "/menu du jour/café",
        "/at/10:30", "/{name}.{ext}", "/catalog/files/{**path}", "/a.b/{c}-{d}", "/x/{y=default}",
    ];
}

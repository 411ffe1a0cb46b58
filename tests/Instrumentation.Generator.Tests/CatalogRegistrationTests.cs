using System.Runtime.CompilerServices;
using Instrumentation.Model;

namespace Instrumentation.Generator.Tests;

public class CatalogRegistrationTests
{
    [Fact]
    public void Loading_the_generated_assembly_registers_its_descriptors()
    {
        // A template no other test uses, so the process-wide catalog can be searched for exactly this assembly's entries.
        var result = GeneratorHarness.Run("""
            public static class Endpoints
            {
                public static string MakeShirts(string id) => id;

                public static void Map(WebApplication app)
                {
                    var group = app.MapGroup("/registration-test");
                    group.MapGet("/style/{id}/make", MakeShirts);
                    group.MapMethods("/pay", ["POST", "PUT"], () => "paid");
                }
            }
            """);

        var assembly = GeneratorHarness.Load(result.Output);
        RuntimeHelpers.RunModuleConstructor(assembly.ManifestModule.ModuleHandle);

        var registered = EndpointCatalog.Routes.Where(route => route.Template.StartsWith("/registration-test/", StringComparison.Ordinal)).ToList();
        Assert.Equal(
            [
                new RouteDescriptor("registration_test.pay", "/registration-test/pay", "POST", "POST /registration-test/pay", "registration_test.pay", "registration-test.pay"),
                new RouteDescriptor("registration_test.pay", "/registration-test/pay", "PUT", "PUT /registration-test/pay", "registration_test.pay", "registration-test.pay"),
                new RouteDescriptor("registration_test.style.id.make", "/registration-test/style/{id}/make", "GET", "MakeShirts", "registration_test.style.id.make", "registration-test.style.id.make"),
            ],
            registered.OrderBy(route => route.Entity, StringComparer.Ordinal).ThenBy(route => route.Method, StringComparer.Ordinal));

        var catalogType = assembly.GetType("Instrumentation.Generated.InstrumentationCatalog");
        Assert.NotNull(catalogType);
        Assert.False(catalogType.IsPublic);
        Assert.Equal(
            new RouteDescriptor("registration_test.style.id.make", "/registration-test/style/{id}/make", "GET", "MakeShirts", "registration_test.style.id.make", "registration-test.style.id.make"),
            catalogType.GetField("Registration_test_style_id_make_GET", System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.NonPublic)!.GetValue(null));
    }
}

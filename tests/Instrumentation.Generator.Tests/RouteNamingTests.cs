using Instrumentation.Generator.Emission;
using Instrumentation.Generator.Model;
using Instrumentation.Generator.Parsing;
using Microsoft.AspNetCore.Routing.Patterns;

namespace Instrumentation.Generator.Tests;

public class RouteNamingTests
{
    public static TheoryData<string, string> Entities => NamingCorpus.Entities;

    [Theory]
    [MemberData(nameof(Entities))]
    public void Template_gets_the_documented_entity(string template, string entity) =>
        Assert.Equal(entity, RouteNaming.ToEntity(template));

    /// <summary>
    /// The parser behind the entities must read every template exactly as ASP.NET Core does, or build-time and
    /// startup names would disagree.
    /// </summary>
    [Theory]
    [MemberData(nameof(Entities))]
    public void Template_is_parsed_like_RoutePatternFactory(string template, string entity)
    {
        _ = entity;
        var expected = RoutePatternFactory.Parse(template);
        var actual = RouteTemplateParser.Parse(template);

        Assert.NotNull(actual);
        Assert.Equal(expected.PathSegments.Count, actual.Segments.Count);
        for (var s = 0; s < expected.PathSegments.Count; s++)
        {
            var expectedParts = expected.PathSegments[s].Parts;
            var actualParts = actual.Segments[s].Parts;
            Assert.Equal(expectedParts.Count, actualParts.Count);
            for (var p = 0; p < expectedParts.Count; p++)
            {
                var actualPart = actualParts[p];
                switch (expectedParts[p])
                {
                    case RoutePatternLiteralPart literal:
                        Assert.False(actualPart.IsParameter);
                        Assert.Equal(literal.Content, actualPart.Text);
                        break;
                    case RoutePatternSeparatorPart separator:
                        Assert.False(actualPart.IsParameter);
                        Assert.Equal(separator.Content, actualPart.Text);
                        break;
                    case RoutePatternParameterPart parameter:
                        Assert.True(actualPart.IsParameter);
                        Assert.Equal(parameter.Name, actualPart.Text);
                        Assert.Equal(parameter.IsCatchAll, actualPart.IsCatchAll);
                        Assert.Equal(parameter.IsOptional, actualPart.IsOptional);
                        Assert.Equal(parameter.Default as string, actualPart.DefaultValue);
                        Assert.Equal(parameter.ParameterPolicies.Select(policy => policy.Content), actualPart.Constraints);
                        break;
                    default:
                        Assert.Fail($"Unexpected part {expectedParts[p].GetType().Name} in {template}");
                        break;
                }
            }
        }
    }

    [Theory]
    [InlineData("/a//b")]
    [InlineData("/{id")]
    [InlineData("/id}")]
    [InlineData("/{}")]
    [InlineData("/{a}{b}")]
    [InlineData("/{*rest}/more")]
    [InlineData("/{id}/{id}")]
    [InlineData("/{id?=3}")]
    [InlineData("~x")]
    public void Templates_ASP_NET_Core_rejects_are_rejected(string template)
    {
        Assert.ThrowsAny<Exception>(() => RoutePatternFactory.Parse(template));
        Assert.Null(RouteTemplateParser.Parse(template));
    }

    [Theory]
    [InlineData("", "/")]
    [InlineData("/", "/")]
    [InlineData("~/", "/")]
    [InlineData("orders", "/orders")]
    [InlineData("/orders/", "/orders")]
    [InlineData("~/orders/{id:int}", "/orders/{id:int}")]
    public void Templates_are_normalized_with_one_leading_slash(string template, string normalized) =>
        Assert.Equal(normalized, RouteNaming.NormalizeTemplate(template));

    [Theory]
    [InlineData("api/[controller]", "[action]", "api/[controller]/[action]")]
    [InlineData("api/[controller]/", "list", "api/[controller]/list")]
    [InlineData("api/[controller]", "/absolute", "absolute")]
    [InlineData("api/[controller]", "~/tilde/{id}", "tilde/{id}")]
    [InlineData("api/orders", null, "api/orders")]
    [InlineData(null, "orders/{id}", "orders/{id}")]
    [InlineData("/", "orders", "orders")]
    [InlineData("api", "", "api")]
    public void Controller_and_action_templates_combine_like_MVC(string? controller, string? action, string combined) =>
        Assert.Equal(combined, RouteNaming.CombineAttributeTemplates(controller, action));

    [Theory]
    [InlineData("api/[controller]/[action]", "api/Orders/List")]
    [InlineData("api/[Controller]/[ACTION]", "api/Orders/List")]
    [InlineData("[area]/[controller]", "Admin/Orders")]
    [InlineData("x/[[controller]]/[action]", "x/[controller]/List")]
    [InlineData("x/[[v]]/[controller]", "x/[v]/Orders")]
    [InlineData("x/[[[controller]", "x/[Orders")]
    public void Tokens_are_replaced_with_MVC_escaping(string template, string replaced)
    {
        var values = new Dictionary<string, string> { ["controller"] = "Orders", ["action"] = "List", ["area"] = "Admin" };
        Assert.Equal(replaced, RouteNaming.ReplaceTokens(template, values));
    }

    [Theory]
    [InlineData("api/[unknown]")]
    [InlineData("api/[controller")]
    [InlineData("api/controller]")]
    [InlineData("api/[]")]
    public void Invalid_tokens_are_rejected(string template) =>
        Assert.Null(RouteNaming.ReplaceTokens(template, new Dictionary<string, string> { ["controller"] = "Orders" }));

    [Theory]
    [InlineData("style.id.make", "GET", "Style_id_make_GET")]
    [InlineData("api.orders.int:id", "POST", "Api_orders_int_id_POST")]
    [InlineData("root", "GET", "Root_GET")]
    [InlineData("2024.report", "GET", "_2024_report_GET")]
    [InlineData("braces.{literal}", "PUT", "Braces__literal__PUT")]
    public void Field_names_are_identifiers_named_after_entity_and_method(string entity, string method, string field) =>
        Assert.Equal(field, CatalogBuilder.FieldName(entity, method));

    [Fact]
    public void Methods_fold_into_the_standard_set_or_OTHER()
    {
        Assert.Equal(RouteNaming.StandardMethods, RouteNaming.InstrumentedMethods(HttpMethodSet.Any));
        Assert.Equal(
            ["GET", "POST", "OTHER"],
            RouteNaming.InstrumentedMethods(new HttpMethodSet(new[] { "post", "PURGE", "get", "GET" }.ToEquatableArray())));
    }
}

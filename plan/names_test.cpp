#include "plan/names.h"

#include <array>
#include <string>

#include <catch2/catch.hpp>

namespace starform {
namespace {

TEST_CASE("IsDns1123Label accepts Kubernetes labels only", "[names]") {
  CHECK(IsDns1123Label("shop"));
  CHECK(IsDns1123Label("tenant-acme"));
  CHECK(IsDns1123Label("a"));
  CHECK(IsDns1123Label("0day"));
  CHECK(IsDns1123Label(std::string(63, 'a')));
  CHECK_FALSE(IsDns1123Label(std::string(64, 'a')));
  CHECK_FALSE(IsDns1123Label(""));
  CHECK_FALSE(IsDns1123Label("Shop"));
  CHECK_FALSE(IsDns1123Label("-shop"));
  CHECK_FALSE(IsDns1123Label("shop-"));
  CHECK_FALSE(IsDns1123Label("shop.acme"));
  CHECK_FALSE(IsDns1123Label("shop_acme"));
}

TEST_CASE("IsDns1123Subdomain accepts dotted labels up to 253 characters", "[names]") {
  CHECK(IsDns1123Subdomain("starform-app-tls"));
  CHECK(IsDns1123Subdomain("wildcard.starform.app"));
  CHECK_FALSE(IsDns1123Subdomain("a..b"));
  CHECK_FALSE(IsDns1123Subdomain(".a"));
  CHECK_FALSE(IsDns1123Subdomain("a."));
  CHECK_FALSE(IsDns1123Subdomain(""));
  std::string long_name;
  while (long_name.size() < 254)
    long_name += "abcdefghi.";
  long_name.resize(254);
  long_name.back() = 'x';
  CHECK_FALSE(IsDns1123Subdomain(long_name));
}

TEST_CASE("IsLowercaseDnsHostname follows the Gateway API hostname rules", "[names]") {
  CHECK(IsLowercaseDnsHostname("shop.starform.app"));
  CHECK(IsLowercaseDnsHostname("*.starform.app"));
  CHECK(IsLowercaseDnsHostname("localhost"));
  CHECK(IsLowercaseDnsHostname("xn--bcher-kva.example"));
  CHECK(IsLowercaseDnsHostname("1password.com"));
  CHECK_FALSE(IsLowercaseDnsHostname("Shop.starform.app"));
  CHECK_FALSE(IsLowercaseDnsHostname("10.0.0.1"));
  CHECK_FALSE(IsLowercaseDnsHostname("*.10.0.0.1"));
  CHECK_FALSE(IsLowercaseDnsHostname("::1"));
  CHECK_FALSE(IsLowercaseDnsHostname("shop..app"));
  CHECK_FALSE(IsLowercaseDnsHostname("shop.app."));
  CHECK_FALSE(IsLowercaseDnsHostname("-shop.app"));
  CHECK_FALSE(IsLowercaseDnsHostname("shop_1.app"));
  CHECK_FALSE(IsLowercaseDnsHostname("*"));
  CHECK_FALSE(IsLowercaseDnsHostname("a.*.app"));
  CHECK_FALSE(IsLowercaseDnsHostname("*shop.app"));
  CHECK_FALSE(IsLowercaseDnsHostname(""));
  CHECK_FALSE(IsLowercaseDnsHostname(std::string(64, 'a') + ".app"));
  CHECK_FALSE(IsLowercaseDnsHostname(std::string(250, 'a').insert(60, ".") + ".app"));
}

TEST_CASE("HostnameProblem says what is wrong", "[names]") {
  CHECK(HostnameProblem("shop.starform.app").empty());
  CHECK(HostnameProblem("Shop.app") == "must be lower case (the Gateway API rejects upper case)");
  CHECK(HostnameProblem("10.0.0.1") == "is an IP address, not a DNS name");
  CHECK(HostnameProblem("a..b") == "has an empty label (\"..\", or a leading or trailing '.')");
  CHECK(HostnameProblem("a.*.b") == "may hold '*' only as a whole first label (\"*.example.com\")");
  CHECK(HostnameProblem("shop_1.app") ==
        "has a label \"shop_1\" holding characters other than a-z, 0-9 and '-'");
  CHECK(HostnameProblem("shop-.app") == "has a label \"shop-\" that begins or ends with '-'");
  CHECK(HostnameProblem(std::string(64, 'a') + ".app") ==
        "has a label \"aaaaaaaaaaaaaaaaaaaa...\" longer than 63 characters");
}

TEST_CASE("WildcardCovers matches as the Gateway API does", "[names]") {
  CHECK(WildcardCovers("*.x.com", "a.x.com"));
  CHECK(WildcardCovers("*.x.com", "a.b.x.com"));
  CHECK(WildcardCovers("*.x.com", "*.b.x.com"));
  CHECK_FALSE(WildcardCovers("*.x.com", "x.com"));
  CHECK_FALSE(WildcardCovers("*.x.com", "*.x.com"));
  CHECK_FALSE(WildcardCovers("*.x.com", "ax.com"));
  CHECK_FALSE(WildcardCovers("*.x.com", "a.y.com"));
  CHECK_FALSE(WildcardCovers("*.b.x.com", "*.x.com"));
  CHECK_FALSE(WildcardCovers("a.x.com", "a.x.com"));
  CHECK(WildcardCovers("*.com", "x.com"));
}

TEST_CASE("HostnamesIntersect is symmetric and includes equality", "[names]") {
  CHECK(HostnamesIntersect("a.x.com", "a.x.com"));
  CHECK(HostnamesIntersect("*.x.com", "a.x.com"));
  CHECK(HostnamesIntersect("a.x.com", "*.x.com"));
  CHECK(HostnamesIntersect("*.x.com", "*.x.com"));
  CHECK_FALSE(HostnamesIntersect("*.x.com", "x.com"));
  CHECK_FALSE(HostnamesIntersect("a.x.com", "b.x.com"));
}

TEST_CASE("IsQualifiedName follows Kubernetes", "[names]") {
  CHECK(IsQualifiedName("auth0"));
  CHECK(IsQualifiedName("Auth0_Main.v2"));
  CHECK(IsQualifiedName("example.com/auth0"));
  CHECK(IsQualifiedName(std::string(63, 'a')));
  CHECK_FALSE(IsQualifiedName(std::string(64, 'a')));
  CHECK_FALSE(IsQualifiedName(""));
  CHECK_FALSE(IsQualifiedName("-auth0"));
  CHECK_FALSE(IsQualifiedName("auth0."));
  CHECK_FALSE(IsQualifiedName("auth 0"));
  CHECK_FALSE(IsQualifiedName("/auth0"));
  CHECK_FALSE(IsQualifiedName("Example.com/auth0"));
  CHECK_FALSE(IsQualifiedName("a/b/c"));
}

TEST_CASE("IsHttpToken accepts RFC 9110 field names", "[names]") {
  CHECK(IsHttpToken("X-Starform-User-ID"));
  CHECK(IsHttpToken("x_a.b~c|d"));
  CHECK_FALSE(IsHttpToken(""));
  CHECK_FALSE(IsHttpToken("X Starform"));
  CHECK_FALSE(IsHttpToken("X-Starform:"));
  CHECK_FALSE(IsHttpToken("X-Starform-\xc3\xa9"));
}

TEST_CASE("StartsWithIgnoreCase compares ASCII without case", "[names]") {
  CHECK(StartsWithIgnoreCase("x-starform-plan", "X-Starform-"));
  CHECK(StartsWithIgnoreCase("X-STARFORM-PLAN", "X-Starform-"));
  CHECK_FALSE(StartsWithIgnoreCase("X-Starform", "X-Starform-"));
  CHECK_FALSE(StartsWithIgnoreCase("X-Starfarm-a", "X-Starform-"));
}

TEST_CASE("IsGatewayApiDuration matches the CRD pattern exactly", "[names]") {
  for (const char* good : {"30s", "1m", "1h", "500ms", "1h30m", "1m30s500ms", "1h1m1s1ms", "99999s",
                           "0s", "1ms1s", "1h1h"}) {
    INFO(good);
    CHECK(IsGatewayApiDuration(good));
  }
  for (const char* bad : {"", "s", "30", "30 s", "1.5s", "100000s", "1d", "30S", "-1s",
                          "1h1m1s1ms1h", "1us", "1mss", "m1s"}) {
    INFO(bad);
    CHECK_FALSE(IsGatewayApiDuration(bad));
  }
}

TEST_CASE("PathProblem applies the HTTPRoute path rules", "[names]") {
  CHECK(PathProblem("/").empty());
  CHECK(PathProblem("/api/v1/").empty());
  CHECK(PathProblem("/a%20b/~user;x=1").empty());
  CHECK(PathProblem("/..a/.b").empty());
  CHECK(PathProblem("api") == "must begin with '/'");
  CHECK(PathProblem("") == "must begin with '/'");
  CHECK(PathProblem("/a//b") == "must not contain \"//\"");
  CHECK(PathProblem("/a/./b") == "must not contain \"/./\"");
  CHECK(PathProblem("/a/../b") == "must not contain \"/../\"");
  CHECK(PathProblem("/a%2fb") == "must not contain \"%2f\"");
  CHECK(PathProblem("/a%2Fb") == "must not contain \"%2F\"");
  CHECK(PathProblem("/a#b") == "must not contain \"#\"");
  CHECK(PathProblem("/a/..") == "must not end with \"/..\"");
  CHECK(PathProblem("/a/.") == "must not end with \"/.\"");
  CHECK(PathProblem("/a b").starts_with("must not contain \" \""));
  CHECK(PathProblem("/a?b").starts_with("must not contain \"?\""));
  CHECK(PathProblem("/a%zz") == "must use '%' only to start an escape of two hex digits (\"%20\")");
  CHECK(PathProblem("/a%2") == "must use '%' only to start an escape of two hex digits (\"%20\")");
  CHECK(PathProblem("/" + std::string(1023, 'a')).empty());
  CHECK(PathProblem("/" + std::string(1024, 'a')) ==
        "must be at most 1024 characters long, got 1025");
}

TEST_CASE("IsDoLoadBalancerName follows the DigitalOcean rules", "[names]") {
  CHECK(IsDoLoadBalancerName("starform-nyc1-prod"));
  CHECK(IsDoLoadBalancerName("Starform.NYC1"));
  CHECK(IsDoLoadBalancerName(std::string(255, 'a')));
  CHECK_FALSE(IsDoLoadBalancerName(std::string(256, 'a')));
  CHECK_FALSE(IsDoLoadBalancerName(""));
  CHECK_FALSE(IsDoLoadBalancerName("-lb"));
  CHECK_FALSE(IsDoLoadBalancerName(".lb"));
  CHECK_FALSE(IsDoLoadBalancerName("lb-"));
  CHECK_FALSE(IsDoLoadBalancerName("lb_1"));
}

TEST_CASE("ClosestMatch suggests only near candidates", "[names]") {
  constexpr std::array<std::string_view, 3> kWords = {"size-slug", "protocol", "network-stack"};
  CHECK(ClosestMatch("protocl", kWords) == std::optional<std::string_view>("protocol"));
  CHECK(ClosestMatch("size-slog", kWords) == std::optional<std::string_view>("size-slug"));
  CHECK_FALSE(ClosestMatch("algorithm", kWords).has_value());
}

TEST_CASE("Quote escapes and elides", "[names]") {
  CHECK(Quote("a\"b\\c") == "\"a\\\"b\\\\c\"");
  CHECK(Quote("a\nb") == "\"a\\x0ab\"");
  CHECK(Quote("abcdef", 3) == "\"abc...\"");
}

TEST_CASE("ParseInt takes whole decimal integers only", "[names]") {
  CHECK(ParseInt("42") == std::optional<int64_t>(42));
  CHECK(ParseInt("-3") == std::optional<int64_t>(-3));
  CHECK_FALSE(ParseInt("").has_value());
  CHECK_FALSE(ParseInt("4x").has_value());
  CHECK_FALSE(ParseInt(" 4").has_value());
  CHECK_FALSE(ParseInt("99999999999999999999").has_value());
}

}  // namespace
}  // namespace starform

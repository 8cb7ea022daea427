// The CEL rules of the Gateway API CRDs (v1.6.1, standard channel): HTTPRoute, Gateway and
// GatewayClass (ReferenceGrant has none). Each function implements the expression printed
// beside it in the table at the bottom, which is the CRD's text; comments note where CEL's
// meaning is not C++'s.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "devcluster/cel_rules_internal.h"

namespace starform::devcluster::cel {
namespace {

// --- HTTPRoute ---

// A parentRef's namespace or sectionName is "unset" when absent or empty.
bool Unset(const json& ref, std::string_view key) {
  return !Has(ref, key) || Str(ref, key).empty();
}

// p1.group == p2.group && p1.kind == p2.kind && p1.name == p2.name && (both namespaces unset
// || both set and equal).
bool SameParent(const json& p1, const json& p2) {
  return And([&] { return Get(p1, "group") == Get(p2, "group"); },
             [&] { return Get(p1, "kind") == Get(p2, "kind"); },
             [&] { return Get(p1, "name") == Get(p2, "name"); },
             [&] {
               return (Unset(p1, "namespace") && Unset(p2, "namespace")) ||
                      (Has(p1, "namespace") && Has(p2, "namespace") &&
                       Get(p1, "namespace") == Get(p2, "namespace"));
             });
}

bool SectionNameSpecified(const RuleInput& in) {
  return All(in.self, [&](const json& p1) {
    return All(in.self, [&](const json& p2) {
      return SameParent(p1, p2) ? Unset(p1, "sectionName") == Unset(p2, "sectionName") : true;
    });
  });
}

bool SectionNameUnique(const RuleInput& in) {
  return All(in.self, [&](const json& p1) {
    return ExistsOne(in.self, [&](const json& p2) {
      return SameParent(p1, p2) && ((Unset(p1, "sectionName") && Unset(p2, "sectionName")) ||
                                    (Has(p1, "sectionName") && Has(p2, "sectionName") &&
                                     Get(p1, "sectionName") == Get(p2, "sectionName")));
    });
  });
}

// The rule sums self[0..15].matches.size(): a route has at most 16 rules.
bool AtMost128Matches(const RuleInput& in) {
  int64_t total = 0;
  for (size_t i = 0; i < in.self.size() && i < 16; ++i)
    total += Size(Get(in.self[i], "matches"));
  return total <= 128;
}

bool NoRedirectWithBackends(const RuleInput& in) {
  if (!(Has(in.self, "backendRefs") && Size(in.self["backendRefs"]) > 0))
    return true;
  return !Has(in.self, "filters") ||
         All(in.self["filters"], [](const json& f) { return !Has(f, "requestRedirect"); });
}

// A filter |kind| (requestRedirect or urlRewrite) whose path replaces the prefix match.
template <Lit kind>
bool ReplacesPrefix(const json& f) {
  if (!Has(f, kind.view()) || !Has(f[kind.view()], "path"))
    return false;
  const json& path = f[kind.view()]["path"];
  return And([&] { return Str(path, "type") == "ReplacePrefixMatch"; },
             [&] { return Has(path, "replacePrefixMatch"); });
}

// (size(self.matches) != 1 || !has(self.matches[0].path) ||
//  self.matches[0].path.type != 'PathPrefix') ? false : true
bool OnePrefixMatch(const json& rule) {
  const json& matches = Get(rule, "matches");
  if (Size(matches) != 1)
    return false;
  if (!Has(matches[0], "path"))
    return false;
  return Str(matches[0]["path"], "type") == "PathPrefix";
}

template <Lit kind>
bool PrefixRewriteNeedsOnePrefixMatch(const RuleInput& in) {
  bool uses = Has(in.self, "filters") && ExistsOne(in.self["filters"], ReplacesPrefix<kind>);
  return uses ? OnePrefixMatch(in.self) : true;
}

template <Lit kind>
bool BackendPrefixRewriteNeedsOnePrefixMatch(const RuleInput& in) {
  bool uses = Has(in.self, "backendRefs") && ExistsOne(in.self["backendRefs"], [](const json& b) {
                return Has(b, "filters") && ExistsOne(b["filters"], ReplacesPrefix<kind>);
              });
  return uses ? OnePrefixMatch(in.self) : true;
}

// (size(self.group) == 0 && self.kind == 'Service') ? has(self.port) : true. CEL's && is
// commutative over errors, so an absent group does not matter when the kind is not Service.
bool ServiceHasPort(const RuleInput& in) {
  bool service = And([&] { return Size(Get(in.self, "group")) == 0; },
                     [&] { return Str(in.self, "kind") == "Service"; });
  return service ? Has(in.self, "port") : true;
}

bool NotRedirectAndRewrite(const RuleInput& in) {
  auto of_type = [](std::string_view type) {
    return [type](const json& f) { return Str(f, "type") == type; };
  };
  return !And([&] { return Exists(in.self, of_type("RequestRedirect")); },
              [&] { return Exists(in.self, of_type("URLRewrite")); });
}

template <Lit type>
bool FilterNotRepeated(const RuleInput& in) {
  return Count(in.self, [](const json& f) { return Str(f, "type") == type.view(); }) <= 1;
}

// !(has(self.<field>) && self.type != '<type>')
template <Lit field, Lit type>
bool NilUnlessType(const RuleInput& in) {
  return !(Has(in.self, field.view()) && Str(in.self, "type") != type.view());
}

// !(!has(self.<field>) && self.type == '<type>')
template <Lit field, Lit type>
bool RequiredForType(const RuleInput& in) {
  return !(!Has(in.self, field.view()) && Str(in.self, "type") == type.view());
}

// !('*' in self && self.size() > 1)
bool WildcardAlone(const RuleInput& in) {
  return !(In(in.self, "*") && Size(in.self) > 1);
}

bool NotPercentAndFraction(const RuleInput& in) {
  return !(Has(in.self, "percent") && Has(in.self, "fraction"));
}

bool NumeratorAtMostDenominator(const RuleInput& in) {
  return Get(in.self, "numerator").get<double>() <= Get(in.self, "denominator").get<double>();
}

// The path-match rules apply to (self.type in ['Exact','PathPrefix']).
bool ExactOrPrefix(const json& path) {
  return OneOf(Str(path, "type"), {"Exact", "PathPrefix"});
}

bool PathAbsolute(const RuleInput& in) {
  return ExactOrPrefix(in.self) ? Str(in.self, "value").starts_with('/') : true;
}

template <Lit part>
bool PathNotContaining(const RuleInput& in) {
  return ExactOrPrefix(in.self) ? Str(in.self, "value").find(part.view()) == std::string::npos
                                : true;
}

template <Lit suffix>
bool PathNotEndingWith(const RuleInput& in) {
  return ExactOrPrefix(in.self) ? !Str(in.self, "value").ends_with(suffix.view()) : true;
}

bool PathTypeKnown(const RuleInput& in) {
  return ExactOrPrefix(in.self) || Str(in.self, "type") == "RegularExpression";
}

bool IsHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// ^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$, by hand: a path is matched for every
// route on every write, and the character class is all there is to it.
bool ValidPathCharacters(std::string_view value) {
  static constexpr std::string_view kAllowed = "-/._~!$&'()*+,;=:@";
  if (value.empty())
    return false;
  for (size_t i = 0; i < value.size(); ++i) {
    char c = value[i];
    bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (alnum || kAllowed.find(c) != std::string_view::npos)
      continue;
    if (c == '%' && i + 2 < value.size() && IsHex(value[i + 1]) && IsHex(value[i + 2])) {
      i += 2;
      continue;
    }
    return false;
  }
  return true;
}

bool PathCharacters(const RuleInput& in) {
  return ExactOrPrefix(in.self) ? ValidPathCharacters(Str(in.self, "value")) : true;
}

// !(has(request) && has(backendRequest) && duration(request) != duration('0s') &&
//   duration(backendRequest) > duration(request)): a zero request timeout means none.
bool BackendTimeoutWithinRequest(const RuleInput& in) {
  if (!Has(in.self, "request") || !Has(in.self, "backendRequest"))
    return true;
  int64_t request = Duration(Str(in.self, "request"));
  return !(request != 0 && Duration(Str(in.self, "backendRequest")) > request);
}

// --- Gateway ---

constexpr const char* kHostnamePattern =
    R"(^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$)";

// self.all(a1, a1.type == '<type>' && has(a1.value) ? self.exists_one(a2, a2.type == a1.type
// && has(a2.value) && a2.value == a1.value) : true)
template <Lit type>
bool AddressValuesUnique(const RuleInput& in) {
  return All(in.self, [&](const json& a1) {
    if (!And([&] { return Str(a1, "type") == type.view(); }, [&] { return Has(a1, "value"); })) {
      return true;
    }
    return ExistsOne(in.self, [&](const json& a2) {
      return And([&] { return Get(a2, "type") == Get(a1, "type"); },
                 [&] { return Has(a2, "value"); },
                 [&] { return Get(a2, "value") == Get(a1, "value"); });
    });
  });
}

bool AddressHostnameValid(const RuleInput& in) {
  if (Str(in.self, "type") != "Hostname")
    return true;
  return !Has(in.self, "value") || Matches(Str(in.self, "value"), kHostnamePattern);
}

bool StatusAddressHostnameValid(const RuleInput& in) {
  return Str(in.self, "type") == "Hostname" ? Matches(Str(in.self, "value"), kHostnamePattern)
                                            : true;
}

bool KeysQualified(const RuleInput& in) {
  static const std::string kPattern =
      R"(^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]$)";
  return AllKeys(in.self, [](std::string_view key) { return Matches(key, kPattern); });
}

// key.split("/")[0].size() < 253, counting code points as CEL's size() does.
bool KeyPrefixesShort(const RuleInput& in) {
  return AllKeys(
      in.self, [](std::string_view key) { return Size(json(key.substr(0, key.find('/')))) < 253; });
}

bool NoTlsForPlainProtocols(const RuleInput& in) {
  return All(in.self, [](const json& l) {
    return OneOf(Str(l, "protocol"), {"HTTP", "TCP", "UDP"}) ? !Has(l, "tls") : true;
  });
}

bool HttpsTerminates(const RuleInput& in) {
  return All(in.self, [](const json& l) {
    if (!And([&] { return Str(l, "protocol") == "HTTPS"; }, [&] { return Has(l, "tls"); })) {
      return true;
    }
    std::string_view mode = Str(l["tls"], "mode");
    return mode.empty() || mode == "Terminate";
  });
}

bool TlsHasMode(const RuleInput& in) {
  return All(in.self, [](const json& l) {
    if (Str(l, "protocol") != "TLS")
      return true;
    return Has(l, "tls") && Has(l["tls"], "mode") && !Str(l["tls"], "mode").empty();
  });
}

bool NoHostnameForL4(const RuleInput& in) {
  return All(in.self, [](const json& l) {
    return OneOf(Str(l, "protocol"), {"TCP", "UDP"}) ? Unset(l, "hostname") : true;
  });
}

bool ListenerNamesUnique(const RuleInput& in) {
  return All(in.self, [&](const json& l1) {
    return ExistsOne(in.self, [&](const json& l2) { return Get(l1, "name") == Get(l2, "name"); });
  });
}

bool ListenerCombinationsUnique(const RuleInput& in) {
  return All(in.self, [&](const json& l1) {
    return ExistsOne(in.self, [&](const json& l2) {
      return And([&] { return Get(l1, "port") == Get(l2, "port"); },
                 [&] { return Get(l1, "protocol") == Get(l2, "protocol"); },
                 [&] {
                   bool h1 = Has(l1, "hostname"), h2 = Has(l2, "hostname");
                   return h1 && h2 ? l1["hostname"] == l2["hostname"] : !h1 && !h2;
                 });
    });
  });
}

// self.mode == 'Terminate' ? size(self.certificateRefs) > 0 || size(self.options) > 0 : true.
// Either list may be absent: CEL's || still passes when the other side holds.
bool TerminateHasCertificates(const RuleInput& in) {
  if (Str(in.self, "mode") != "Terminate")
    return true;
  return Or([&] { return Size(Get(in.self, "certificateRefs")) > 0; },
            [&] { return Size(Get(in.self, "options")) > 0; });
}

bool TlsPortsUnique(const RuleInput& in) {
  return All(in.self, [&](const json& t1) {
    return ExistsOne(in.self, [&](const json& t2) { return Get(t1, "port") == Get(t2, "port"); });
  });
}

// --- GatewayClass ---

bool Immutable(const RuleInput& in) {
  return in.self == *in.old_self;
}

const RuleImpl kRules[] =
    {
        // HTTPRoute spec.parentRefs
        {"sectionName must be specified when parentRefs includes 2 or more references to the same "
         "parent",
         R"cel(self.all(p1, self.all(p2, p1.group == p2.group && p1.kind == p2.kind && p1.name == p2.name && (((!has(p1.__namespace__) || p1.__namespace__ == '') && (!has(p2.__namespace__) || p2.__namespace__ == '')) || (has(p1.__namespace__) && has(p2.__namespace__) && p1.__namespace__ == p2.__namespace__ )) ? ((!has(p1.sectionName) || p1.sectionName == '') == (!has(p2.sectionName) || p2.sectionName == '')) : true)))cel",
         SectionNameSpecified},
        // HTTPRoute spec.parentRefs
        {"sectionName must be unique when parentRefs includes 2 or more references to the same "
         "parent",
         R"cel(self.all(p1, self.exists_one(p2, p1.group == p2.group && p1.kind == p2.kind && p1.name == p2.name && (((!has(p1.__namespace__) || p1.__namespace__ == '') && (!has(p2.__namespace__) || p2.__namespace__ == '')) || (has(p1.__namespace__) && has(p2.__namespace__) && p1.__namespace__ == p2.__namespace__ )) && (((!has(p1.sectionName) || p1.sectionName == '') && (!has(p2.sectionName) || p2.sectionName == '')) || (has(p1.sectionName) && has(p2.sectionName) && p1.sectionName == p2.sectionName)))))cel",
         SectionNameUnique},
        // HTTPRoute spec.rules
        {"While 16 rules and 64 matches per rule are allowed, the total number of matches across "
         "all rules in a route must be less than 128",
         R"cel((self.size() > 0 ? self[0].matches.size() : 0) + (self.size() > 1 ? self[1].matches.size() : 0) + (self.size() > 2 ? self[2].matches.size() : 0) + (self.size() > 3 ? self[3].matches.size() : 0) + (self.size() > 4 ? self[4].matches.size() : 0) + (self.size() > 5 ? self[5].matches.size() : 0) + (self.size() > 6 ? self[6].matches.size() : 0) + (self.size() > 7 ? self[7].matches.size() : 0) + (self.size() > 8 ? self[8].matches.size() : 0) + (self.size() > 9 ? self[9].matches.size() : 0) + (self.size() > 10 ? self[10].matches.size() : 0) + (self.size() > 11 ? self[11].matches.size() : 0) + (self.size() > 12 ? self[12].matches.size() : 0) + (self.size() > 13 ? self[13].matches.size() : 0) + (self.size() > 14 ? self[14].matches.size() : 0) + (self.size() > 15 ? self[15].matches.size() : 0) <= 128)cel",
         AtMost128Matches},
        // HTTPRoute spec.rules[]
        {"RequestRedirect filter must not be used together with backendRefs",
         R"cel((has(self.backendRefs) && size(self.backendRefs) > 0) ? (!has(self.filters) || self.filters.all(f, !has(f.requestRedirect))): true)cel",
         NoRedirectWithBackends},
        // HTTPRoute spec.rules[]
        {"When using RequestRedirect filter with path.replacePrefixMatch, exactly one PathPrefix "
         "match must be specified",
         R"cel((has(self.filters) && self.filters.exists_one(f, has(f.requestRedirect) && has(f.requestRedirect.path) && f.requestRedirect.path.type == 'ReplacePrefixMatch' && has(f.requestRedirect.path.replacePrefixMatch))) ? ((size(self.matches) != 1 || !has(self.matches[0].path) || self.matches[0].path.type != 'PathPrefix') ? false : true) : true)cel",
         PrefixRewriteNeedsOnePrefixMatch<"requestRedirect">},
        // HTTPRoute spec.rules[]
        {"When using URLRewrite filter with path.replacePrefixMatch, exactly one PathPrefix match "
         "must be specified",
         R"cel((has(self.filters) && self.filters.exists_one(f, has(f.urlRewrite) && has(f.urlRewrite.path) && f.urlRewrite.path.type == 'ReplacePrefixMatch' && has(f.urlRewrite.path.replacePrefixMatch))) ? ((size(self.matches) != 1 || !has(self.matches[0].path) || self.matches[0].path.type != 'PathPrefix') ? false : true) : true)cel",
         PrefixRewriteNeedsOnePrefixMatch<"urlRewrite">},
        // HTTPRoute spec.rules[]
        {"Within backendRefs, when using RequestRedirect filter with path.replacePrefixMatch, "
         "exactly one PathPrefix match must be specified",
         R"cel((has(self.backendRefs) && self.backendRefs.exists_one(b, (has(b.filters) && b.filters.exists_one(f, has(f.requestRedirect) && has(f.requestRedirect.path) && f.requestRedirect.path.type == 'ReplacePrefixMatch' && has(f.requestRedirect.path.replacePrefixMatch))) )) ? ((size(self.matches) != 1 || !has(self.matches[0].path) || self.matches[0].path.type != 'PathPrefix') ? false : true) : true)cel",
         BackendPrefixRewriteNeedsOnePrefixMatch<"requestRedirect">},
        // HTTPRoute spec.rules[]
        {"Within backendRefs, When using URLRewrite filter with path.replacePrefixMatch, exactly "
         "one PathPrefix match must be specified",
         R"cel((has(self.backendRefs) && self.backendRefs.exists_one(b, (has(b.filters) && b.filters.exists_one(f, has(f.urlRewrite) && has(f.urlRewrite.path) && f.urlRewrite.path.type == 'ReplacePrefixMatch' && has(f.urlRewrite.path.replacePrefixMatch))) )) ? ((size(self.matches) != 1 || !has(self.matches[0].path) || self.matches[0].path.type != 'PathPrefix') ? false : true) : true)cel",
         BackendPrefixRewriteNeedsOnePrefixMatch<"urlRewrite">},
        // HTTPRoute spec.rules[].backendRefs[]
        {"Must have port for Service reference",
         R"cel((size(self.group) == 0 && self.kind == 'Service') ? has(self.port) : true)cel",
         ServiceHasPort},
        // HTTPRoute spec.rules[].backendRefs[].filters
        {"May specify either httpRouteFilterRequestRedirect or httpRouteFilterRequestRewrite, but "
         "not both",
         R"cel(!(self.exists(f, f.type == 'RequestRedirect') && self.exists(f, f.type == 'URLRewrite')))cel",
         NotRedirectAndRewrite},
        // HTTPRoute spec.rules[].backendRefs[].filters
        {"CORS filter cannot be repeated", R"cel(self.filter(f, f.type == 'CORS').size() <= 1)cel",
         FilterNotRepeated<"CORS">},
        // HTTPRoute spec.rules[].backendRefs[].filters
        {"RequestHeaderModifier filter cannot be repeated",
         R"cel(self.filter(f, f.type == 'RequestHeaderModifier').size() <= 1)cel",
         FilterNotRepeated<"RequestHeaderModifier">},
        // HTTPRoute spec.rules[].backendRefs[].filters
        {"ResponseHeaderModifier filter cannot be repeated",
         R"cel(self.filter(f, f.type == 'ResponseHeaderModifier').size() <= 1)cel",
         FilterNotRepeated<"ResponseHeaderModifier">},
        // HTTPRoute spec.rules[].backendRefs[].filters
        {"RequestRedirect filter cannot be repeated",
         R"cel(self.filter(f, f.type == 'RequestRedirect').size() <= 1)cel",
         FilterNotRepeated<"RequestRedirect">},
        // HTTPRoute spec.rules[].backendRefs[].filters
        {"URLRewrite filter cannot be repeated",
         R"cel(self.filter(f, f.type == 'URLRewrite').size() <= 1)cel",
         FilterNotRepeated<"URLRewrite">},
        // HTTPRoute spec.rules[].backendRefs[].filters[]
        {"filter.cors must be nil if the filter.type is not CORS",
         R"cel(!(has(self.cors) && self.type != 'CORS'))cel", NilUnlessType<"cors", "CORS">},
        // HTTPRoute spec.rules[].backendRefs[].filters[]
        {"filter.cors must be specified for CORS filter.type",
         R"cel(!(!has(self.cors) && self.type == 'CORS'))cel", RequiredForType<"cors", "CORS">},
        // HTTPRoute spec.rules[].backendRefs[].filters[]
        {"filter.requestHeaderModifier must be nil if the filter.type is not RequestHeaderModifier",
         R"cel(!(has(self.requestHeaderModifier) && self.type != 'RequestHeaderModifier'))cel",
         NilUnlessType<"requestHeaderModifier", "RequestHeaderModifier">},
        // HTTPRoute spec.rules[].backendRefs[].filters[]
        {"filter.requestHeaderModifier must be specified for RequestHeaderModifier filter.type",
         R"cel(!(!has(self.requestHeaderModifier) && self.type == 'RequestHeaderModifier'))cel",
         RequiredForType<"requestHeaderModifier", "RequestHeaderModifier">},
        // HTTPRoute spec.rules[].backendRefs[].filters[]
        {"filter.responseHeaderModifier must be nil if the filter.type is not "
         "ResponseHeaderModifier",
         R"cel(!(has(self.responseHeaderModifier) && self.type != 'ResponseHeaderModifier'))cel",
         NilUnlessType<"responseHeaderModifier", "ResponseHeaderModifier">},
        // HTTPRoute spec.rules[].backendRefs[].filters[]
        {"filter.responseHeaderModifier must be specified for ResponseHeaderModifier filter.type",
         R"cel(!(!has(self.responseHeaderModifier) && self.type == 'ResponseHeaderModifier'))cel",
         RequiredForType<"responseHeaderModifier", "ResponseHeaderModifier">},
        // HTTPRoute spec.rules[].backendRefs[].filters[]
        {"filter.requestMirror must be nil if the filter.type is not RequestMirror",
         R"cel(!(has(self.requestMirror) && self.type != 'RequestMirror'))cel",
         NilUnlessType<"requestMirror", "RequestMirror">},
        // HTTPRoute spec.rules[].backendRefs[].filters[]
        {"filter.requestMirror must be specified for RequestMirror filter.type",
         R"cel(!(!has(self.requestMirror) && self.type == 'RequestMirror'))cel",
         RequiredForType<"requestMirror", "RequestMirror">},
        // HTTPRoute spec.rules[].backendRefs[].filters[]
        {"filter.requestRedirect must be nil if the filter.type is not RequestRedirect",
         R"cel(!(has(self.requestRedirect) && self.type != 'RequestRedirect'))cel",
         NilUnlessType<"requestRedirect", "RequestRedirect">},
        // HTTPRoute spec.rules[].backendRefs[].filters[]
        {"filter.requestRedirect must be specified for RequestRedirect filter.type",
         R"cel(!(!has(self.requestRedirect) && self.type == 'RequestRedirect'))cel",
         RequiredForType<"requestRedirect", "RequestRedirect">},
        // HTTPRoute spec.rules[].backendRefs[].filters[]
        {"filter.urlRewrite must be nil if the filter.type is not URLRewrite",
         R"cel(!(has(self.urlRewrite) && self.type != 'URLRewrite'))cel",
         NilUnlessType<"urlRewrite", "URLRewrite">},
        // HTTPRoute spec.rules[].backendRefs[].filters[]
        {"filter.urlRewrite must be specified for URLRewrite filter.type",
         R"cel(!(!has(self.urlRewrite) && self.type == 'URLRewrite'))cel",
         RequiredForType<"urlRewrite", "URLRewrite">},
        // HTTPRoute spec.rules[].backendRefs[].filters[]
        {"filter.extensionRef must be nil if the filter.type is not ExtensionRef",
         R"cel(!(has(self.extensionRef) && self.type != 'ExtensionRef'))cel",
         NilUnlessType<"extensionRef", "ExtensionRef">},
        // HTTPRoute spec.rules[].backendRefs[].filters[]
        {"filter.extensionRef must be specified for ExtensionRef filter.type",
         R"cel(!(!has(self.extensionRef) && self.type == 'ExtensionRef'))cel",
         RequiredForType<"extensionRef", "ExtensionRef">},
        // HTTPRoute spec.rules[].backendRefs[].filters[].cors.allowHeaders
        {"AllowHeaders cannot contain '*' alongside other methods",
         R"cel(!('*' in self && self.size() > 1))cel", WildcardAlone},
        // HTTPRoute spec.rules[].backendRefs[].filters[].cors.allowMethods
        {"AllowMethods cannot contain '*' alongside other methods",
         R"cel(!('*' in self && self.size() > 1))cel", WildcardAlone},
        // HTTPRoute spec.rules[].backendRefs[].filters[].cors.allowOrigins
        {"AllowOrigins cannot contain '*' alongside other origins",
         R"cel(!('*' in self && self.size() > 1))cel", WildcardAlone},
        // HTTPRoute spec.rules[].backendRefs[].filters[].requestMirror
        {"Only one of percent or fraction may be specified in HTTPRequestMirrorFilter",
         R"cel(!(has(self.percent) && has(self.fraction)))cel", NotPercentAndFraction},
        // HTTPRoute spec.rules[].backendRefs[].filters[].requestMirror.fraction
        {"numerator must be less than or equal to denominator",
         R"cel(self.numerator <= self.denominator)cel", NumeratorAtMostDenominator},
        // HTTPRoute spec.rules[].backendRefs[].filters[].requestRedirect.path
        {"replaceFullPath must be specified when type is set to 'ReplaceFullPath'",
         R"cel(self.type == 'ReplaceFullPath' ? has(self.replaceFullPath) : true)cel",
         TypeNeedsField<"ReplaceFullPath", "replaceFullPath">},
        // HTTPRoute spec.rules[].backendRefs[].filters[].requestRedirect.path
        {"type must be 'ReplaceFullPath' when replaceFullPath is set",
         R"cel(has(self.replaceFullPath) ? self.type == 'ReplaceFullPath' : true)cel",
         FieldNeedsType<"replaceFullPath", "ReplaceFullPath">},
        // HTTPRoute spec.rules[].backendRefs[].filters[].requestRedirect.path
        {"replacePrefixMatch must be specified when type is set to 'ReplacePrefixMatch'",
         R"cel(self.type == 'ReplacePrefixMatch' ? has(self.replacePrefixMatch) : true)cel",
         TypeNeedsField<"ReplacePrefixMatch", "replacePrefixMatch">},
        // HTTPRoute spec.rules[].backendRefs[].filters[].requestRedirect.path
        {"type must be 'ReplacePrefixMatch' when replacePrefixMatch is set",
         R"cel(has(self.replacePrefixMatch) ? self.type == 'ReplacePrefixMatch' : true)cel",
         FieldNeedsType<"replacePrefixMatch", "ReplacePrefixMatch">},
        // HTTPRoute spec.rules[].matches[].path
        {"value must be an absolute path and start with '/' when type one of ['Exact', "
         "'PathPrefix']",
         R"cel((self.type in ['Exact','PathPrefix']) ? self.value.startsWith('/') : true)cel",
         PathAbsolute},
        // HTTPRoute spec.rules[].matches[].path
        {"must not contain '//' when type one of ['Exact', 'PathPrefix']",
         R"cel((self.type in ['Exact','PathPrefix']) ? !self.value.contains('//') : true)cel",
         PathNotContaining<"//">},
        // HTTPRoute spec.rules[].matches[].path
        {"must not contain '/./' when type one of ['Exact', 'PathPrefix']",
         R"cel((self.type in ['Exact','PathPrefix']) ? !self.value.contains('/./') : true)cel",
         PathNotContaining<"/./">},
        // HTTPRoute spec.rules[].matches[].path
        {"must not contain '/../' when type one of ['Exact', 'PathPrefix']",
         R"cel((self.type in ['Exact','PathPrefix']) ? !self.value.contains('/../') : true)cel",
         PathNotContaining<"/../">},
        // HTTPRoute spec.rules[].matches[].path
        {"must not contain '%2f' when type one of ['Exact', 'PathPrefix']",
         R"cel((self.type in ['Exact','PathPrefix']) ? !self.value.contains('%2f') : true)cel",
         PathNotContaining<"%2f">},
        // HTTPRoute spec.rules[].matches[].path
        {"must not contain '%2F' when type one of ['Exact', 'PathPrefix']",
         R"cel((self.type in ['Exact','PathPrefix']) ? !self.value.contains('%2F') : true)cel",
         PathNotContaining<"%2F">},
        // HTTPRoute spec.rules[].matches[].path
        {"must not contain '#' when type one of ['Exact', 'PathPrefix']",
         R"cel((self.type in ['Exact','PathPrefix']) ? !self.value.contains('#') : true)cel",
         PathNotContaining<"#">},
        // HTTPRoute spec.rules[].matches[].path
        {"must not end with '/..' when type one of ['Exact', 'PathPrefix']",
         R"cel((self.type in ['Exact','PathPrefix']) ? !self.value.endsWith('/..') : true)cel",
         PathNotEndingWith<"/..">},
        // HTTPRoute spec.rules[].matches[].path
        {"must not end with '/.' when type one of ['Exact', 'PathPrefix']",
         R"cel((self.type in ['Exact','PathPrefix']) ? !self.value.endsWith('/.') : true)cel",
         PathNotEndingWith<"/.">},
        // HTTPRoute spec.rules[].matches[].path
        {"type must be one of ['Exact', 'PathPrefix', 'RegularExpression']",
         R"cel(self.type in ['Exact','PathPrefix'] || self.type == 'RegularExpression')cel",
         PathTypeKnown},
        // HTTPRoute spec.rules[].matches[].path
        {"must only contain valid characters (matching "
         "^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$) for types ['Exact', "
         "'PathPrefix']",
         R"cel((self.type in ['Exact','PathPrefix']) ? self.value.matches(r"""^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$""") : true)cel",
         PathCharacters},
        // HTTPRoute spec.rules[].timeouts
        {"backendRequest timeout cannot be longer than request timeout",
         R"cel(!(has(self.request) && has(self.backendRequest) && duration(self.request) != duration('0s') && duration(self.backendRequest) > duration(self.request)))cel",
         BackendTimeoutWithinRequest},
        // Gateway spec.addresses
        {"IPAddress values must be unique",
         R"cel(self.all(a1, a1.type == 'IPAddress' && has(a1.value) ? self.exists_one(a2, a2.type == a1.type && has(a2.value) && a2.value == a1.value) : true ))cel",
         AddressValuesUnique<"IPAddress">},
        // Gateway spec.addresses
        {"Hostname values must be unique",
         R"cel(self.all(a1, a1.type == 'Hostname' && has(a1.value) ? self.exists_one(a2, a2.type == a1.type && has(a2.value) && a2.value == a1.value) : true ))cel",
         AddressValuesUnique<"Hostname">},
        // Gateway spec.addresses[]
        {"Hostname value must be empty or contain only valid characters (matching "
         "^(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$)",
         R"cel(self.type == 'Hostname' ? (!has(self.value) || self.value.matches(r"""^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$""")): true)cel",
         AddressHostnameValid},
        // Gateway spec.infrastructure.annotations
        {"Annotation keys must be in the form of an optional DNS subdomain prefix followed by a "
         "required name segment of up to 63 characters.",
         R"cel(self.all(key, key.matches(r"""^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]$""")))cel",
         KeysQualified},
        // Gateway spec.infrastructure.annotations
        {"If specified, the annotation key's prefix must be a DNS subdomain not longer than 253 "
         "characters in total.",
         R"cel(self.all(key, key.split("/")[0].size() < 253))cel", KeyPrefixesShort},
        // Gateway spec.infrastructure.labels
        {"Label keys must be in the form of an optional DNS subdomain prefix followed by a "
         "required name segment of up to 63 characters.",
         R"cel(self.all(key, key.matches(r"""^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]$""")))cel",
         KeysQualified},
        // Gateway spec.infrastructure.labels
        {"If specified, the label key's prefix must be a DNS subdomain not longer than 253 "
         "characters in total.",
         R"cel(self.all(key, key.split("/")[0].size() < 253))cel", KeyPrefixesShort},
        // Gateway spec.listeners
        {"tls must not be specified for protocols ['HTTP', 'TCP', 'UDP']",
         R"cel(self.all(l, l.protocol in ['HTTP', 'TCP', 'UDP'] ? !has(l.tls) : true))cel",
         NoTlsForPlainProtocols},
        // Gateway spec.listeners
        {"tls mode must be Terminate for protocol HTTPS",
         R"cel(self.all(l, (l.protocol == 'HTTPS' && has(l.tls)) ? (l.tls.mode == '' || l.tls.mode == 'Terminate') : true))cel",
         HttpsTerminates},
        // Gateway spec.listeners
        {"tls mode must be set for protocol TLS",
         R"cel(self.all(l, (l.protocol == 'TLS' ? has(l.tls) && has(l.tls.mode) && l.tls.mode != '' : true)))cel",
         TlsHasMode},
        // Gateway spec.listeners
        {"hostname must not be specified for protocols ['TCP', 'UDP']",
         R"cel(self.all(l, l.protocol in ['TCP', 'UDP'] ? (!has(l.hostname) || l.hostname == '') : true))cel",
         NoHostnameForL4},
        // Gateway spec.listeners
        {"Listener name must be unique within the Gateway",
         R"cel(self.all(l1, self.exists_one(l2, l1.name == l2.name)))cel", ListenerNamesUnique},
        // Gateway spec.listeners
        {"Combination of port, protocol and hostname must be unique for each listener",
         R"cel(self.all(l1, self.exists_one(l2, l1.port == l2.port && l1.protocol == l2.protocol && (has(l1.hostname) && has(l2.hostname) ? l1.hostname == l2.hostname : !has(l1.hostname) && !has(l2.hostname)))))cel",
         ListenerCombinationsUnique},
        // Gateway spec.listeners[].tls
        {"certificateRefs or options must be specified when mode is Terminate",
         R"cel(self.mode == 'Terminate' ? size(self.certificateRefs) > 0 || size(self.options) > 0 : true)cel",
         TerminateHasCertificates},
        // Gateway spec.tls.frontend.perPort
        {"Port for TLS configuration must be unique within the Gateway",
         R"cel(self.all(t1, self.exists_one(t2, t1.port == t2.port)))cel", TlsPortsUnique},
        // Gateway status.addresses[]
        {"Hostname value must only contain valid characters (matching "
         "^(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$)",
         R"cel(self.type == 'Hostname' ? self.value.matches(r"""^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"""): true)cel",
         StatusAddressHostnameValid},
        // GatewayClass spec.controllerName
        {"Value is immutable", R"cel(self == oldSelf)cel", Immutable, true},
};

}  // namespace

std::span<const RuleImpl> GatewayApiRules() {
  return kRules;
}

}  // namespace starform::devcluster::cel

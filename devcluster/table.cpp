#include "devcluster/table.h"

#include <cctype>
#include <cstdio>
#include <ctime>

#include "devcluster/resources.h"
#include "devcluster/status.h"
#include "devcluster/table_internal.h"

namespace starform::devcluster {

using nlohmann::json;
using nlohmann::ordered_json;

const char* const kNameDescription =
    "Name must be unique within a namespace. Is required when creating resources, although some "
    "resources may allow a client to request the generation of an appropriate name "
    "automatically. Name is primarily intended for creation idempotence and configuration "
    "definition. Cannot be updated. More info: "
    "https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";
const char* const kCreationTimestampDescription =
    "CreationTimestamp is a timestamp representing the server time when this object was created. "
    "It is not guaranteed to be set in happens-before order across separate operations. Clients "
    "may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the "
    "system. Read-only. Null for lists. More info: "
    "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

// One media range of an Accept header: "application/json;as=Table;v=v1;g=meta.k8s.io".
struct MediaRange {
  std::string type;
  std::string as, group, version;
};

MediaRange ParseMediaRange(std::string_view text) {
  MediaRange range;
  size_t semi = text.find(';');
  range.type = std::string(Trim(text.substr(0, semi)));
  while (semi != std::string_view::npos) {
    text.remove_prefix(semi + 1);
    semi = text.find(';');
    std::string_view param = Trim(text.substr(0, semi));
    size_t eq = param.find('=');
    if (eq == std::string_view::npos)
      continue;
    std::string_view key = Trim(param.substr(0, eq));
    std::string value(Trim(param.substr(eq + 1)));
    if (key == "as")
      range.as = value;
    else if (key == "g")
      range.group = value;
    else if (key == "v")
      range.version = value;
  }
  return range;
}

// The media types whose bodies the dev cluster can stand in for (protobuf with JSON).
bool ServableType(const std::string& type) {
  return type == "application/json" || type == "application/vnd.kubernetes.protobuf" ||
         type == "application/*" || type == "*/*";
}

ordered_json Column(const TableColumn& c) {
  return {{"name", c.name},
          {"type", c.type},
          {"format", c.format},
          {"description", c.description},
          {"priority", c.priority}};
}

std::string Timestamp(const json& object) {
  auto meta = object.find("metadata");
  if (meta == object.end() || !meta->is_object())
    return "";
  auto it = meta->find("creationTimestamp");
  return it != meta->end() && it->is_string() ? it->get<std::string>() : "";
}

std::string Name(const json& object) {
  auto meta = object.find("metadata");
  if (meta == object.end() || !meta->is_object())
    return "";
  return meta->value("name", "");
}

// json.Marshal's escaping of <, > and & (only inside strings in JSON text).
std::string GoJson(const json& value) {
  std::string text = value.dump();
  std::string out;
  for (char c : text) {
    if (c == '<')
      out += "\\u003c";
    else if (c == '>')
      out += "\\u003e";
    else if (c == '&')
      out += "\\u0026";
    else
      out += c;
  }
  return out;
}

// A string column's text as client-go's jsonpath PrintResults writes one value: objects and
// arrays as JSON, scalars as fmt.Print does.
ordered_json StringCell(const json& value) {
  if (value.is_null())
    return nullptr;
  if (value.is_object() || value.is_array())
    return GoJson(value);
  if (value.is_string())
    return value.get<std::string>();
  if (value.is_number_float()) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%g", value.get<double>());
    return std::string(buffer);
  }
  return value.dump();  // integers and booleans
}

// cellForJSONValue of the CRD convertor.
ordered_json TypedCell(const std::string& type, const json& value,
                       std::chrono::system_clock::time_point now) {
  if (type == "integer" && value.is_number())
    return value.is_number_float() ? json(static_cast<int64_t>(value.get<double>())) : value;
  if (type == "number" && value.is_number())
    return value.get<double>();
  if (type == "boolean" && value.is_boolean())
    return value.get<bool>();
  if (type == "date" && value.is_string()) {
    std::chrono::system_clock::time_point t;
    if (!ParseRfc3339(value.get<std::string>(), &t))
      return "<invalid>";
    return ShortHumanDuration(std::chrono::duration_cast<std::chrono::seconds>(now - t));
  }
  return nullptr;
}

// The CRD table convertor over a version's additionalPrinterColumns (an Age column when there
// are none, as the apiextensions server defaults them).
struct CrdPrinter {
  std::vector<TableColumn> columns;  // without Name
  std::vector<std::string> paths;

  explicit CrdPrinter(const ResourceType& type) {
    json defined = json::array();
    if (type.crd) {
      if (const kube::CrdVersion* v = type.crd->Version(type.version))
        defined = v->additional_printer_columns;
    }
    if (!defined.is_array() || defined.empty()) {
      defined = json::array({{{"name", "Age"},
                              {"type", "date"},
                              {"description", kCreationTimestampDescription},
                              {"jsonPath", ".metadata.creationTimestamp"}}});
    }
    for (const json& c : defined) {
      std::string path = c.value("jsonPath", "");
      std::string description = c.value("description", "");
      if (description.empty())
        description = "Custom resource definition column (in JSONPath format): " + path;
      columns.push_back({c.value("name", ""), c.value("type", ""), c.value("format", ""),
                         description, c.value("priority", 0)});
      paths.push_back(path);
    }
  }

  ordered_json Cells(const json& object, std::chrono::system_clock::time_point now) const {
    ordered_json cells = ordered_json::array({Name(object)});
    for (size_t i = 0; i < columns.size(); ++i) {
      std::vector<const json*> results;
      // As the convertor does: only the first match is shown; no match is a null cell.
      if (!EvaluateJsonPath(paths[i], object, &results) || results.empty()) {
        cells.push_back(nullptr);
      } else if (columns[i].type == "string") {
        cells.push_back(StringCell(*results[0]));
      } else {
        cells.push_back(TypedCell(columns[i].type, *results[0], now));
      }
    }
    return cells;
  }
};

ordered_json RowObject(const json& object, const std::string& group_version,
                       IncludeObject include) {
  switch (include) {
    case IncludeObject::kNone:
      return nullptr;
    case IncludeObject::kObject:
      return object;
    case IncludeObject::kMetadata:
      break;
  }
  return {{"kind", "PartialObjectMetadata"},
          {"apiVersion", group_version},
          {"metadata", object.value("metadata", json::object())}};
}

}  // namespace

ResponseForm NegotiateForm(std::string_view accept) {
  if (Trim(accept).empty())
    return {};
  while (true) {
    size_t comma = accept.find(',');
    MediaRange range = ParseMediaRange(accept.substr(0, comma));
    if (ServableType(range.type)) {
      if (range.as.empty())
        return {};
      if (range.as == "Table" && range.group == "meta.k8s.io" &&
          (range.version == "v1" || range.version == "v1beta1")) {
        return {true, range.version};
      }
    }
    if (comma == std::string_view::npos)
      break;
    accept.remove_prefix(comma + 1);
  }
  throw StatusError(406, "NotAcceptable",
                    "only the following media types are accepted: application/json, "
                    "application/yaml, application/vnd.kubernetes.protobuf");
}

IncludeObject ParseIncludeObject(const std::string& value) {
  if (value.empty() || value == "Metadata")
    return IncludeObject::kMetadata;
  if (value == "None")
    return IncludeObject::kNone;
  if (value == "Object")
    return IncludeObject::kObject;
  throw BadRequest("Unable to convert to Table as requested: includeObject: Unsupported value: \"" +
                   value + "\": supported values: \"Metadata\", \"None\", \"Object\"");
}

ordered_json ToTable(const ResourceType& type, const std::vector<const json*>& objects,
                     const TableListMeta& list_meta, const std::string& group_version,
                     IncludeObject include, std::chrono::system_clock::time_point now) {
  ordered_json metadata = ordered_json::object();
  if (!list_meta.resource_version.empty())
    metadata["resourceVersion"] = list_meta.resource_version;
  if (!list_meta.continue_token.empty())
    metadata["continue"] = list_meta.continue_token;
  if (list_meta.remaining_item_count >= 0)
    metadata["remainingItemCount"] = list_meta.remaining_item_count;

  std::vector<TableColumn> columns;
  std::function<ordered_json(const json&)> cells;
  const BuiltinPrinter* builtin = FindBuiltinPrinter(type.group, type.resource);
  std::shared_ptr<CrdPrinter> crd;
  if (type.custom) {
    crd = std::make_shared<CrdPrinter>(type);
    columns.push_back({"Name", "string", "name", kNameDescription, 0});
    columns.insert(columns.end(), crd->columns.begin(), crd->columns.end());
    cells = [crd, now](const json& o) { return crd->Cells(o, now); };
  } else if (builtin != nullptr) {
    columns = builtin->columns;
    cells = [builtin, now](const json& o) { return builtin->cells(o, now); };
  } else {
    // rest.NewDefaultTableConvertor: the name and the creation time as RFC 3339.
    columns = {{"Name", "string", "name", kNameDescription, 0},
               {"Created At", "date", "", kCreationTimestampDescription, 0}};
    cells = [](const json& o) { return ordered_json::array({Name(o), Timestamp(o)}); };
  }

  ordered_json definitions = ordered_json::array();
  for (const TableColumn& c : columns)
    definitions.push_back(Column(c));
  ordered_json rows = ordered_json::array();
  for (const json* object : objects) {
    rows.push_back(
        {{"cells", cells(*object)}, {"object", RowObject(*object, group_version, include)}});
  }
  return {{"kind", "Table"},
          {"apiVersion", group_version},
          {"metadata", metadata},
          {"columnDefinitions", definitions},
          {"rows", rows}};
}

std::string ShortHumanDuration(std::chrono::seconds d) {
  long long s = d.count();
  if (s < -1)
    return "<invalid>";
  if (s < 0)
    return "0s";
  if (s < 60)
    return std::to_string(s) + "s";
  if (s < 3600)
    return std::to_string(s / 60) + "m";
  long long hours = s / 3600;
  if (hours < 24)
    return std::to_string(hours) + "h";
  if (hours < 24 * 365)
    return std::to_string(hours / 24) + "d";
  return std::to_string(hours / 24 / 365) + "y";
}

std::string HumanDuration(std::chrono::seconds d) {
  long long s = d.count();
  auto str = [](long long v) { return std::to_string(v); };
  if (s < -1)
    return "<invalid>";
  if (s < 0)
    return "0s";
  if (s < 120)
    return str(s) + "s";
  long long minutes = s / 60;
  if (minutes < 10)
    return s % 60 == 0 ? str(minutes) + "m" : str(minutes) + "m" + str(s % 60) + "s";
  if (minutes < 180)
    return str(minutes) + "m";
  long long hours = s / 3600;
  if (hours < 8)
    return minutes % 60 == 0 ? str(hours) + "h" : str(hours) + "h" + str(minutes % 60) + "m";
  if (hours < 48)
    return str(hours) + "h";
  if (hours < 24 * 8)
    return hours % 24 == 0 ? str(hours / 24) + "d" : str(hours / 24) + "d" + str(hours % 24) + "h";
  if (hours < 24 * 365 * 2)
    return str(hours / 24) + "d";
  if (hours < 24 * 365 * 8) {
    long long dy = (hours / 24) % 365;
    return dy == 0 ? str(hours / 24 / 365) + "y" : str(hours / 24 / 365) + "y" + str(dy) + "d";
  }
  return str(hours / 24 / 365) + "y";
}

bool ParseRfc3339(std::string_view text, std::chrono::system_clock::time_point* out) {
  std::string s(text);
  int year, month, day, hour, minute, second, consumed = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &year, &month, &day, &hour, &minute,
                  &second, &consumed) != 6 ||
      consumed != 19) {
    return false;
  }
  size_t i = 19;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])))
      ++i;
  }
  long offset = 0;
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
    ++i;
  } else if (i + 6 == s.size() && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':') {
    int oh = 0, om = 0;
    if (std::sscanf(s.c_str() + i + 1, "%2d:%2d", &oh, &om) != 2)
      return false;
    offset = (s[i] == '-' ? -1 : 1) * (oh * 3600L + om * 60L);
    i += 6;
  } else {
    return false;
  }
  if (i != s.size() || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 ||
      second > 60) {
    return false;
  }
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  *out = std::chrono::system_clock::from_time_t(timegm(&tm) - offset);
  return true;
}

std::string AgeSince(const json& timestamp, std::chrono::system_clock::time_point now) {
  std::chrono::system_clock::time_point t;
  if (!timestamp.is_string() || !ParseRfc3339(timestamp.get<std::string>(), &t))
    return "<unknown>";
  return HumanDuration(std::chrono::duration_cast<std::chrono::seconds>(now - t));
}

}  // namespace starform::devcluster

#include "devcluster/protobuf.h"

#include <ctime>
#include <map>
#include <vector>

#include "devcluster/status.h"

namespace starform::devcluster {

using nlohmann::json;

namespace {

// A protobuf wire-format reader over one message's bytes.
class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}
  bool done() const { return pos_ >= data_.size(); }

  bool Varint(uint64_t* value) {
    *value = 0;
    for (int shift = 0; shift < 64 && pos_ < data_.size(); shift += 7) {
      uint8_t byte = static_cast<uint8_t>(data_[pos_++]);
      *value |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0)
        return true;
    }
    return false;
  }
  bool Bytes(std::string_view* out) {
    uint64_t size;
    if (!Varint(&size) || size > data_.size() - pos_)
      return false;
    *out = data_.substr(pos_, size);
    pos_ += size;
    return true;
  }
  bool Skip(int wire_type) {
    uint64_t ignored;
    std::string_view bytes;
    switch (wire_type) {
      case 0:
        return Varint(&ignored);
      case 1:
        return Advance(8);
      case 2:
        return Bytes(&bytes);
      case 5:
        return Advance(4);
      default:
        return false;
    }
  }

 private:
  bool Advance(size_t n) {
    if (n > data_.size() - pos_)
      return false;
    pos_ += n;
    return true;
  }
  std::string_view data_;
  size_t pos_ = 0;
};

[[noreturn]] void Malformed(const std::string& what) {
  throw BadRequest("the body of the request could not be decoded as protobuf: " + what);
}

// The shape of a generated.proto message, enough to turn it into the JSON the API serves.
enum class Kind { kString, kBytes, kInt, kBool, kMessage, kStringMap, kBytesMap, kTime, kIntOrStr };
struct Message;
struct Field {
  int number;
  const char* name;
  Kind kind;
  bool repeated = false;
  const Message* message = nullptr;
};
struct Message {
  std::vector<Field> fields;
};

std::string Base64(std::string_view data) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    uint32_t n = (static_cast<uint8_t>(data[i]) << 16) | (static_cast<uint8_t>(data[i + 1]) << 8) |
                 static_cast<uint8_t>(data[i + 2]);
    for (int shift : {18, 12, 6, 0})
      out += kAlphabet[(n >> shift) & 63];
  }
  if (i < data.size()) {
    uint32_t n = static_cast<uint8_t>(data[i]) << 16;
    if (i + 1 < data.size())
      n |= static_cast<uint8_t>(data[i + 1]) << 8;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < data.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

json Decode(std::string_view bytes, const Message& message);

// A map entry: key = 1, value = 2.
void DecodeMapEntry(std::string_view bytes, bool binary, json* map) {
  Reader r(bytes);
  std::string key;
  std::string_view value;
  while (!r.done()) {
    uint64_t tag;
    std::string_view field;
    if (!r.Varint(&tag) || (tag & 7) != 2 || !r.Bytes(&field))
      Malformed("a map entry");
    if ((tag >> 3) == 1)
      key = std::string(field);
    else if ((tag >> 3) == 2)
      value = field;
  }
  (*map)[key] = binary ? Base64(value) : std::string(value);
}

// metav1.Time: seconds = 1, nanos = 2; RFC 3339 at second precision as the JSON form.
json DecodeTime(std::string_view bytes) {
  Reader r(bytes);
  int64_t seconds = 0;
  while (!r.done()) {
    uint64_t tag, value;
    if (!r.Varint(&tag))
      Malformed("a time");
    if ((tag & 7) != 0) {
      if (!r.Skip(static_cast<int>(tag & 7)))
        Malformed("a time");
      continue;
    }
    if (!r.Varint(&value))
      Malformed("a time");
    if ((tag >> 3) == 1)
      seconds = static_cast<int64_t>(value);
  }
  if (seconds == 0)
    return nullptr;
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

// intstr.IntOrString: type = 1 (0 int, 1 string), intVal = 2, strVal = 3.
json DecodeIntOrString(std::string_view bytes) {
  Reader r(bytes);
  uint64_t type = 0, int_value = 0;
  std::string str_value;
  while (!r.done()) {
    uint64_t tag;
    if (!r.Varint(&tag))
      Malformed("an IntOrString");
    std::string_view s;
    bool ok = (tag & 7) == 2 ? r.Bytes(&s) : r.Varint((tag >> 3) == 1 ? &type : &int_value);
    if (!ok)
      Malformed("an IntOrString");
    if ((tag >> 3) == 3)
      str_value = std::string(s);
  }
  if (type == 1)
    return str_value;
  return static_cast<int32_t>(int_value);
}

// Go's omitempty, roughly: zero scalars and empty collections are left out.
bool IsEmpty(const json& v) {
  return v.is_null() || (v.is_string() && v.get<std::string>().empty()) ||
         (v.is_number() && v == 0) || (v.is_boolean() && !v.get<bool>()) ||
         ((v.is_object() || v.is_array()) && v.empty());
}

json DecodeField(const Field& f, Reader& r, int wire_type, json* out) {
  if (f.kind == Kind::kInt || f.kind == Kind::kBool) {
    uint64_t value;
    if (wire_type != 0 || !r.Varint(&value))
      Malformed(f.name);
    if (f.kind == Kind::kBool)
      return value != 0;
    return static_cast<int64_t>(value);
  }
  std::string_view bytes;
  if (wire_type != 2 || !r.Bytes(&bytes))
    Malformed(f.name);
  switch (f.kind) {
    case Kind::kString:
      return std::string(bytes);
    case Kind::kBytes:
      return Base64(bytes);
    case Kind::kMessage:
      return Decode(bytes, *f.message);
    case Kind::kTime:
      return DecodeTime(bytes);
    case Kind::kIntOrStr:
      return DecodeIntOrString(bytes);
    case Kind::kStringMap:
    case Kind::kBytesMap:
      if (!(*out)[f.name].is_object())
        (*out)[f.name] = json::object();
      DecodeMapEntry(bytes, f.kind == Kind::kBytesMap, &(*out)[f.name]);
      return (*out)[f.name];
    default:
      Malformed(f.name);
  }
}

json Decode(std::string_view bytes, const Message& message) {
  json out = json::object();
  Reader r(bytes);
  while (!r.done()) {
    uint64_t tag;
    if (!r.Varint(&tag))
      Malformed("a field tag");
    int number = static_cast<int>(tag >> 3), wire_type = static_cast<int>(tag & 7);
    const Field* field = nullptr;
    for (const Field& f : message.fields) {
      if (f.number == number)
        field = &f;
    }
    if (field == nullptr) {
      if (!r.Skip(wire_type))
        Malformed("field " + std::to_string(number));
      continue;
    }
    json value = DecodeField(*field, r, wire_type, &out);
    if (field->kind == Kind::kStringMap || field->kind == Kind::kBytesMap)
      continue;
    if (field->repeated) {
      if (!out[field->name].is_array())
        out[field->name] = json::array();
      out[field->name].push_back(std::move(value));
    } else {
      out[field->name] = std::move(value);
    }
  }
  for (auto it = out.begin(); it != out.end();) {
    if (IsEmpty(it.value()) && !it.value().is_object())
      it = out.erase(it);
    else
      ++it;
  }
  return out;
}

// k8s.io/apimachinery/pkg/apis/meta/v1/generated.proto and k8s.io/api/core/v1/generated.proto.
const Message kOwnerReference = {{{1, "kind", Kind::kString},
                                  {3, "name", Kind::kString},
                                  {4, "uid", Kind::kString},
                                  {5, "apiVersion", Kind::kString},
                                  {6, "controller", Kind::kBool},
                                  {7, "blockOwnerDeletion", Kind::kBool}}};
const Message kObjectMeta = {{{1, "name", Kind::kString},
                              {2, "generateName", Kind::kString},
                              {3, "namespace", Kind::kString},
                              {5, "uid", Kind::kString},
                              {6, "resourceVersion", Kind::kString},
                              {7, "generation", Kind::kInt},
                              {8, "creationTimestamp", Kind::kTime},
                              {9, "deletionTimestamp", Kind::kTime},
                              {10, "deletionGracePeriodSeconds", Kind::kInt},
                              {11, "labels", Kind::kStringMap},
                              {12, "annotations", Kind::kStringMap},
                              {13, "ownerReferences", Kind::kMessage, true, &kOwnerReference},
                              {14, "finalizers", Kind::kString, true}}};
const Message kNamespaceSpec = {{{1, "finalizers", Kind::kString, true}}};
const Message kNamespace = {{{1, "metadata", Kind::kMessage, false, &kObjectMeta},
                             {2, "spec", Kind::kMessage, false, &kNamespaceSpec}}};
const Message kConfigMap = {{{1, "metadata", Kind::kMessage, false, &kObjectMeta},
                             {2, "data", Kind::kStringMap},
                             {3, "binaryData", Kind::kBytesMap},
                             {4, "immutable", Kind::kBool}}};
const Message kSecret = {{{1, "metadata", Kind::kMessage, false, &kObjectMeta},
                          {2, "data", Kind::kBytesMap},
                          {3, "type", Kind::kString},
                          {4, "stringData", Kind::kStringMap},
                          {5, "immutable", Kind::kBool}}};
const Message kServicePort = {{{1, "name", Kind::kString},
                               {2, "protocol", Kind::kString},
                               {3, "port", Kind::kInt},
                               {4, "targetPort", Kind::kIntOrStr},
                               {5, "nodePort", Kind::kInt},
                               {6, "appProtocol", Kind::kString}}};
const Message kServiceSpec = {{{1, "ports", Kind::kMessage, true, &kServicePort},
                               {2, "selector", Kind::kStringMap},
                               {3, "clusterIP", Kind::kString},
                               {4, "type", Kind::kString},
                               {5, "externalIPs", Kind::kString, true},
                               {7, "sessionAffinity", Kind::kString},
                               {8, "loadBalancerIP", Kind::kString},
                               {10, "externalName", Kind::kString},
                               {18, "clusterIPs", Kind::kString, true}}};
const Message kService = {{{1, "metadata", Kind::kMessage, false, &kObjectMeta},
                           {2, "spec", Kind::kMessage, false, &kServiceSpec}}};
const Message kPreconditions = {{{1, "uid", Kind::kString}, {2, "resourceVersion", Kind::kString}}};
const Message kDeleteOptions = {{{1, "gracePeriodSeconds", Kind::kInt},
                                 {2, "preconditions", Kind::kMessage, false, &kPreconditions},
                                 {3, "orphanDependents", Kind::kBool},
                                 {4, "propagationPolicy", Kind::kString},
                                 {5, "dryRun", Kind::kString, true}}};

const Message* KnownKind(const std::string& api_version, const std::string& kind) {
  static const std::map<std::string, const Message*> kinds = {
      {"v1/Namespace", &kNamespace},
      {"v1/ConfigMap", &kConfigMap},
      {"v1/Secret", &kSecret},
      {"v1/Service", &kService},
      {"v1/DeleteOptions", &kDeleteOptions},
      {"meta.k8s.io/v1/DeleteOptions", &kDeleteOptions}};
  auto it = kinds.find(api_version + "/" + kind);
  return it == kinds.end() ? nullptr : it->second;
}

const Message kTypeMeta = {{{1, "apiVersion", Kind::kString}, {2, "kind", Kind::kString}}};
const Message kUnknown = {{{1, "typeMeta", Kind::kMessage, false, &kTypeMeta},
                           {2, "raw", Kind::kString},
                           {3, "contentEncoding", Kind::kString},
                           {4, "contentType", Kind::kString}}};

}  // namespace

bool IsProtobuf(std::string_view content_type) {
  std::string_view type = content_type.substr(0, content_type.find(';'));
  while (!type.empty() && type.back() == ' ')
    type.remove_suffix(1);
  return type == "application/vnd.kubernetes.protobuf";
}

json DecodeProtobuf(std::string_view body) {
  static constexpr std::string_view kMagic("k8s\0", 4);
  if (body.substr(0, 4) != kMagic)
    Malformed("the body does not start with the k8s protobuf magic number");
  json unknown = Decode(body.substr(4), kUnknown);
  json type_meta = unknown.value("typeMeta", json::object());
  std::string api_version = type_meta.value("apiVersion", "");
  std::string kind = type_meta.value("kind", "");
  const Message* message = KnownKind(api_version, kind);
  if (message == nullptr) {
    throw StatusError(415, "UnsupportedMediaType",
                      "the dev cluster cannot decode " + api_version + " " + kind +
                          " from protobuf; send it as application/json");
  }
  json object = Decode(unknown.value("raw", ""), *message);
  json out = {{"apiVersion", api_version}, {"kind", kind}};
  out.update(object);
  return out;
}

}  // namespace starform::devcluster

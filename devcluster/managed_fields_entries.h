#pragma once

// metadata.managedFields entries and the API server's in-memory form of them
// (apimachinery util/managedfields/internal/managedfields.go): managers keyed by an identifier
// built from the entry without its fields and time (and without apiVersion for an Apply), so
// that one manager has one entry per operation and subresource, and per API version when it
// updates.

#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "devcluster/ssa_updater.h"

namespace starform::devcluster::smd {

/// The identifying parts of an entry.
struct ManagerInfo {
  std::string manager;
  std::string operation;    ///< "Apply" or "Update"
  std::string api_version;  ///< part of the identity for Update only
  std::string subresource;

  bool operator==(const ManagerInfo&) const = default;
};

/// BuildManagerIdentifier: `{"manager":"kubectl-edit","operation":"Update","apiVersion":"v1"}`,
/// as encoding/json writes it (empty fields omitted).
std::string ManagerIdentifier(const ManagerInfo& info);
/// The parts of an identifier; false if it is not one.
bool ParseManagerIdentifier(const std::string& id, ManagerInfo* info);

/// The managers of an object and when each last changed something (RFC 3339; absent: never
/// recorded).
struct Managed {
  ManagerSets fields;
  std::map<std::string, std::string> times;
};

/// DecodeManagedFields. An absent or null list is no managers. False with |error| as the
/// server words it ("operation must be `Apply` or `Update`", "apiVersion must not be empty",
/// "missing fieldsType in managed fields entry 0", ...).
bool DecodeManagedFields(const nlohmann::json& entries, Managed* managed, std::string* error);

/// encodeManagedFields: one entry per manager, sorted by operation, time (in seconds),
/// manager, apiVersion and subresource, as the server sorts them. An empty array for none.
nlohmann::json EncodeManagedFields(const Managed& managed);

/// isResetManagedFields: an empty list, or a list of one empty entry, asks a non-apply write to
/// drop all managed fields.
bool IsResetManagedFields(const nlohmann::json& entries);

/// Seconds since the epoch of an RFC 3339 time; 0 when it does not parse.
int64_t UnixSeconds(const std::string& rfc3339);

}  // namespace starform::devcluster::smd

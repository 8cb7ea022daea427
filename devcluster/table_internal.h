#pragma once

// Between table.cpp and table_printers.cpp: the built-in kinds' printers.

#include <chrono>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace starform::devcluster {

/// metav1.TableColumnDefinition.
struct TableColumn {
  std::string name;
  std::string type;
  std::string format;
  std::string description;
  int priority = 0;
};

/// ObjectMeta's swagger descriptions, which every printer uses for Name and Age.
extern const char* const kNameDescription;
extern const char* const kCreationTimestampDescription;

/// A built-in kind's printer, as pkg/printers/internalversion registers it (the server prints
/// with Wide set, so priority-1 columns are always filled).
struct BuiltinPrinter {
  std::vector<TableColumn> columns;
  nlohmann::ordered_json (*cells)(const nlohmann::json& object,
                                  std::chrono::system_clock::time_point now);
};

/// The printer of a built-in resource ("" and "services", "apps" and "deployments"), or null.
const BuiltinPrinter* FindBuiltinPrinter(const std::string& group, const std::string& resource);

/// The Age cell of the built-in printers (translateTimestampSince): HumanDuration since
/// |timestamp|, "<unknown>" when it is missing.
std::string AgeSince(const nlohmann::json& timestamp, std::chrono::system_clock::time_point now);

}  // namespace starform::devcluster

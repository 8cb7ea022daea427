#pragma once

// What the client reads from the machine it runs on: environment variables, files and the
// clock. Injected (as leveldb's Env is) so kubeconfig loading and credential caching are tested
// with a fake, without touching the real HOME or waiting for a token to expire.

#include <chrono>
#include <map>
#include <optional>
#include <string>

namespace starform::kube {

class Env {
 public:
  virtual ~Env() = default;
  /// The variable's value, or nullopt when unset.
  virtual std::optional<std::string> Getenv(const std::string& name) const = 0;
  /// Reads a whole file. On failure returns false and sets |error| to a message in the form
  /// Go's os package uses ("open PATH: no such file or directory").
  virtual bool ReadFile(const std::string& path, std::string* contents,
                        std::string* error) const = 0;
  /// True when |path| exists and is not a directory.
  virtual bool IsFile(const std::string& path) const = 0;
  virtual std::chrono::system_clock::time_point Now() const = 0;
};

/// The real process environment and file system.
const Env& SystemEnv();

/// An environment from maps, for tests. Paths are used as given (no normalisation).
class FakeEnv : public Env {
 public:
  std::map<std::string, std::string> vars;
  std::map<std::string, std::string> files;
  std::chrono::system_clock::time_point now = std::chrono::system_clock::time_point{};

  std::optional<std::string> Getenv(const std::string& name) const override;
  bool ReadFile(const std::string& path, std::string* contents, std::string* error) const override;
  bool IsFile(const std::string& path) const override;
  std::chrono::system_clock::time_point Now() const override { return now; }
};

}  // namespace starform::kube

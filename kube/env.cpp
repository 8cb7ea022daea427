#include "kube/env.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace starform::kube {

namespace {

class SystemEnvImpl : public Env {
 public:
  std::optional<std::string> Getenv(const std::string& name) const override {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr)
      return std::nullopt;
    return std::string(value);
  }

  bool ReadFile(const std::string& path, std::string* contents, std::string* error) const override {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      *error = "open " + path + ": " + std::strerror(errno);
      return false;
    }
    std::ostringstream buffer;
    buffer << in.rdbuf();
    if (in.bad()) {
      *error = "read " + path + ": " + std::strerror(errno);
      return false;
    }
    *contents = std::move(buffer).str();
    return true;
  }

  bool IsFile(const std::string& path) const override {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0 && !S_ISDIR(st.st_mode);
  }

  std::chrono::system_clock::time_point Now() const override {
    return std::chrono::system_clock::now();
  }
};

}  // namespace

const Env& SystemEnv() {
  static const SystemEnvImpl env;
  return env;
}

std::optional<std::string> FakeEnv::Getenv(const std::string& name) const {
  auto it = vars.find(name);
  if (it == vars.end())
    return std::nullopt;
  return it->second;
}

bool FakeEnv::ReadFile(const std::string& path, std::string* contents, std::string* error) const {
  auto it = files.find(path);
  if (it == files.end()) {
    *error = "open " + path + ": no such file or directory";
    return false;
  }
  *contents = it->second;
  return true;
}

bool FakeEnv::IsFile(const std::string& path) const {
  return files.count(path) != 0;
}

}  // namespace starform::kube

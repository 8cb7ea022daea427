#include "cmd/plan_file_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "cmd/input.h"
#include "plan/plan_file.h"

namespace starform {

namespace {

std::string Errno(int error) {
  return std::strerror(error);
}

// The directory |path| is in, and its last component.
void SplitPath(const std::string& path, std::string* dir, std::string* base) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) {
    *dir = ".";
    *base = path;
  } else {
    *dir = slash == 0 ? "/" : path.substr(0, slash);
    *base = path.substr(slash + 1);
  }
}

// Opens a new file next to |path| (".plan.out.tmp-PID-N"), mode 0600 from the start: the plan
// holds the exact bodies apply sends, which others must not read even for a moment.
int CreateTemporary(const std::string& dir, const std::string& base, std::string* temp) {
  static std::atomic<unsigned> counter{0};
  for (int attempt = 0; attempt < 100; ++attempt) {
    *temp = dir + "/." + base + ".tmp-" + std::to_string(getpid()) + "-" +
            std::to_string(counter.fetch_add(1));
    int fd = open(temp->c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0 || errno != EEXIST)
      return fd;
  }
  errno = EEXIST;
  return -1;
}

bool WriteAll(int fd, const std::string& text) {
  size_t written = 0;
  while (written < text.size()) {
    ssize_t n = write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      if (n == 0)
        errno = EIO;
      return false;
    }
    written += static_cast<size_t>(n);
  }
  return true;
}

// The rename is durable once the directory entry is: fsync the directory too. Some file systems
// cannot fsync a directory (EINVAL); the file itself is safe then, so that is no error.
void SyncDirectory(const std::string& dir) {
  int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return;
  fsync(fd);
  close(fd);
}

}  // namespace

std::string FormatJsonDocument(const nlohmann::json& document) {
  return document.dump(4, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

bool WritePlanFile(const std::string& path, const nlohmann::json& document, std::string* error) {
  std::string dir, base;
  SplitPath(path, &dir, &base);
  if (base.empty() || base == "." || base == "..") {
    *error = "write " + path + ": not a file name";
    return false;
  }
  std::string text = FormatJsonDocument(document);
  std::string temp;
  int fd = CreateTemporary(dir, base, &temp);
  if (fd < 0) {
    *error = "create " + path + ": " + Errno(errno);
    return false;
  }
  auto fail = [&](const std::string& what, int saved) {
    if (fd >= 0)
      close(fd);
    unlink(temp.c_str());
    *error = what + ": " + Errno(saved);
    return false;
  };
  if (!WriteAll(fd, text) || fsync(fd) != 0)
    return fail("write " + path, errno);
  int closed = close(fd);
  fd = -1;
  if (closed != 0)
    return fail("write " + path, errno);
  if (rename(temp.c_str(), path.c_str()) != 0)
    return fail("rename " + temp + " to " + path, errno);
  SyncDirectory(dir);
  return true;
}

bool ReadPlanFile(const std::string& path, Plan* plan, std::string* error) {
  std::string text;
  if (!ReadInput(path, &text, error))
    return false;
  std::string name = InputName(path);
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
    *error = name + ": empty, not a saved plan";
    return false;
  }
  nlohmann::json document;
  try {
    document = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    // "[json.exception.parse_error.101] parse error at line 1, ...": the bracket is noise here.
    std::string what = e.what();
    if (size_t bracket = what.find("] ");
        what.rfind("[json.exception.", 0) == 0 && bracket != std::string::npos) {
      what = what.substr(bracket + 2);
    }
    *error = name + ": not JSON: " + what;
    return false;
  }
  std::string problem;
  if (!ReadPlanFileDocument(document, plan, &problem)) {
    *error = name + ": " + problem;
    return false;
  }
  return true;
}

}  // namespace starform

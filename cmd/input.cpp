#include "cmd/input.h"

#include <sys/stat.h>
#include <cerrno>
#include <cstring>

#include <cstdio>
#include <iostream>
#include <sstream>

namespace starform {

bool ReadInput(const std::string& path, std::string* text, std::string* error) {
  if (path == "-") {
    std::ostringstream buffer;
    buffer << std::cin.rdbuf();
    *text = buffer.str();
    return true;
  }
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    *error = "open " + path + ": " + std::strerror(errno);
    return false;
  }
  // One allocation of the file's size, then whatever more a growing file has: a desired state
  // for thousands of apps is megabytes, and growing a string byte by byte shows in the budget.
  struct stat info;
  size_t size = fstat(fileno(file), &info) == 0 && info.st_size > 0 ? info.st_size : 0;
  text->resize(size);
  size_t got = std::fread(text->data(), 1, size, file);
  text->resize(got);
  char chunk[65536];
  while (size_t n = std::fread(chunk, 1, sizeof chunk, file))
    text->append(chunk, n);
  bool failed = std::ferror(file) != 0;
  int saved = errno;
  std::fclose(file);
  if (failed) {
    *error = "read " + path + ": " + std::strerror(saved);
    return false;
  }
  return true;
}

std::string InputName(const std::string& path) {
  return path == "-" ? "<stdin>" : path;
}

}  // namespace starform

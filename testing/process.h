#pragma once

// Runs a program to completion for end-to-end tests: what it printed on stdout and stderr, and
// how it exited. Test-only; header-only so any test binary can use it.

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <string>
#include <vector>

extern char** environ;

namespace starform::testing {

struct ProcessResult {
  int exit_code = -1;  ///< the exit status, or 128 + signal number
  std::string out;
  std::string err;
};

/// Runs |argv| (argv[0] is a path) with |input| on stdin and |env| added to the environment.
inline ProcessResult RunProcess(const std::vector<std::string>& argv, const std::string& input = "",
                                const std::vector<std::string>& env = {}) {
  signal(SIGPIPE, SIG_IGN);  // a child that exits before reading all its input must not kill us
  int in[2], out[2], err[2];
  if (pipe(in) != 0 || pipe(out) != 0 || pipe(err) != 0)
    throw std::runtime_error("pipe");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  for (int fd : {in[0], in[1], out[0], out[1], err[0], err[1]}) {
    posix_spawn_file_actions_addclose(&actions, fd);
  }
  std::vector<std::string> envs;
  // |env| overrides inherited variables of the same name (getenv would find the first).
  for (char** e = environ; *e != nullptr; ++e) {
    std::string entry = *e;
    std::string name = entry.substr(0, entry.find('='));
    bool overridden = false;
    for (const std::string& mine : env)
      overridden = overridden || mine.substr(0, mine.find('=')) == name;
    if (!overridden)
      envs.push_back(std::move(entry));
  }
  envs.insert(envs.end(), env.begin(), env.end());
  std::vector<char*> cargv, cenv;
  for (const std::string& a : argv)
    cargv.push_back(const_cast<char*>(a.c_str()));
  for (const std::string& e : envs)
    cenv.push_back(const_cast<char*>(e.c_str()));
  cargv.push_back(nullptr);
  cenv.push_back(nullptr);
  pid_t pid;
  int rc = posix_spawn(&pid, cargv[0], &actions, nullptr, cargv.data(), cenv.data());
  posix_spawn_file_actions_destroy(&actions);
  close(in[0]);
  close(out[1]);
  close(err[1]);
  if (rc != 0)
    throw std::runtime_error("spawn " + argv[0] + " failed");

  ProcessResult result;
  size_t written = 0;
  if (input.empty())
    close(in[1]);
  bool in_open = !input.empty();
  bool out_open = true, err_open = true;
  char buffer[65536];
  while (out_open || err_open || in_open) {
    std::vector<pollfd> fds;
    if (out_open)
      fds.push_back({out[0], POLLIN, 0});
    if (err_open)
      fds.push_back({err[0], POLLIN, 0});
    if (in_open)
      fds.push_back({in[1], POLLOUT, 0});
    if (poll(fds.data(), fds.size(), -1) < 0 && errno != EINTR)
      break;
    for (const pollfd& p : fds) {
      if (p.revents == 0)
        continue;
      if (p.fd == in[1]) {
        ssize_t n = write(in[1], input.data() + written, input.size() - written);
        if (n > 0)
          written += static_cast<size_t>(n);
        if (n <= 0 || written == input.size()) {
          close(in[1]);
          in_open = false;
        }
        continue;
      }
      ssize_t n = read(p.fd, buffer, sizeof buffer);
      if (n <= 0) {
        close(p.fd);
        (p.fd == out[0] ? out_open : err_open) = false;
      } else {
        (p.fd == out[0] ? result.out : result.err).append(buffer, static_cast<size_t>(n));
      }
    }
  }
  int status = 0;
  waitpid(pid, &status, 0);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

/// The path of a program this build made.
inline std::string BuiltProgram(const std::string& name) {
  return std::string(STARFORM_BINARY_DIR) + "/" + name;
}

}  // namespace starform::testing

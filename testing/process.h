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
#include <chrono>
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

/// The environment for a child: ours with |env| ("NAME=value") added, each replacing an
/// inherited variable of the same name (getenv would find the first).
inline std::vector<std::string> ChildEnvironment(const std::vector<std::string>& env) {
  std::vector<std::string> envs;
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
  return envs;
}

/// Pointers to the characters of |strings|, then a null: an argv or envp for exec. Valid while
/// |strings| is.
inline std::vector<char*> CStrings(const std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  for (const std::string& s : strings)
    pointers.push_back(const_cast<char*>(s.c_str()));
  pointers.push_back(nullptr);
  return pointers;
}

/// A started child: its pid and the parent's ends of its stdin, stdout and stderr pipes.
struct Spawned {
  pid_t pid = -1;
  int in = -1, out = -1, err = -1;
};

/// Starts |argv| (argv[0] is a path) with |env| added to the environment (overriding inherited
/// variables of the same name), its stdin, stdout and stderr on pipes.
inline Spawned Spawn(const std::vector<std::string>& argv, const std::vector<std::string>& env) {
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
  std::vector<std::string> envs = ChildEnvironment(env);
  std::vector<char*> cargv = CStrings(argv), cenv = CStrings(envs);
  pid_t pid;
  int rc = posix_spawn(&pid, cargv[0], &actions, nullptr, cargv.data(), cenv.data());
  posix_spawn_file_actions_destroy(&actions);
  close(in[0]);
  close(out[1]);
  close(err[1]);
  if (rc != 0) {
    for (int fd : {in[1], out[0], err[0]})
      close(fd);
    throw std::runtime_error("spawn " + argv[0] + " failed");
  }
  return {pid, in[1], out[0], err[0]};
}

/// Waits for |pid| to end: its exit status, or 128 + the signal number that killed it.
inline int Reap(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/// Runs |argv| (argv[0] is a path) with |input| on stdin and |env| added to the environment.
inline ProcessResult RunProcess(const std::vector<std::string>& argv, const std::string& input = "",
                                const std::vector<std::string>& env = {}) {
  Spawned child = Spawn(argv, env);
  ProcessResult result;
  size_t written = 0;
  if (input.empty())
    close(child.in);
  bool in_open = !input.empty();
  bool out_open = true, err_open = true;
  char buffer[65536];
  while (out_open || err_open || in_open) {
    std::vector<pollfd> fds;
    if (out_open)
      fds.push_back({child.out, POLLIN, 0});
    if (err_open)
      fds.push_back({child.err, POLLIN, 0});
    if (in_open)
      fds.push_back({child.in, POLLOUT, 0});
    if (poll(fds.data(), fds.size(), -1) < 0 && errno != EINTR)
      break;
    for (const pollfd& p : fds) {
      if (p.revents == 0)
        continue;
      if (p.fd == child.in) {
        ssize_t n = write(child.in, input.data() + written, input.size() - written);
        if (n > 0)
          written += static_cast<size_t>(n);
        if (n <= 0 || written == input.size()) {
          close(child.in);
          in_open = false;
        }
        continue;
      }
      ssize_t n = read(p.fd, buffer, sizeof buffer);
      if (n <= 0) {
        close(p.fd);
        (p.fd == child.out ? out_open : err_open) = false;
      } else {
        (p.fd == child.out ? result.out : result.err).append(buffer, static_cast<size_t>(n));
      }
    }
  }
  result.exit_code = Reap(child.pid);
  return result;
}

/// A program running beside the test: its output read as it comes, signals sent to it, and
/// its end waited for. Its stdin is closed at once. Destroying it before Wait() kills it.
class ChildProcess {
 public:
  explicit ChildProcess(const std::vector<std::string>& argv,
                        const std::vector<std::string>& env = {})
      : child_(Spawn(argv, env)) {
    close(child_.in);
  }
  ~ChildProcess() {
    if (running_) {
      kill(child_.pid, SIGKILL);
      Wait();
    }
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  /// Reads the output until stdout contains |text|, the output ends or |timeout| passes. True
  /// when stdout contains it.
  bool WaitForOutput(const std::string& text, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (result_.out.find(text) == std::string::npos) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0 || !ReadSome(static_cast<int>(left.count())))
        break;
    }
    return result_.out.find(text) != std::string::npos;
  }

  /// Sends |signal_number| to the child.
  void Signal(int signal_number) { kill(child_.pid, signal_number); }

  /// Reads the rest of the output and waits for the child to end.
  ProcessResult Wait() {
    while (ReadSome(-1)) {
    }
    if (running_) {
      result_.exit_code = Reap(child_.pid);
      running_ = false;
    }
    return result_;
  }

  /// What it printed so far.
  const ProcessResult& so_far() const { return result_; }

 private:
  // One poll of the open pipes, up to |timeout_ms| (-1: no limit). False once both are closed.
  bool ReadSome(int timeout_ms) {
    std::vector<pollfd> fds;
    if (out_open_)
      fds.push_back({child_.out, POLLIN, 0});
    if (err_open_)
      fds.push_back({child_.err, POLLIN, 0});
    if (fds.empty())
      return false;
    if (poll(fds.data(), fds.size(), timeout_ms) < 0 && errno != EINTR)
      throw std::runtime_error("poll");
    char buffer[65536];
    for (const pollfd& p : fds) {
      if (p.revents == 0)
        continue;
      bool is_out = p.fd == child_.out;
      ssize_t n = read(p.fd, buffer, sizeof buffer);
      if (n <= 0) {
        close(p.fd);
        (is_out ? out_open_ : err_open_) = false;
      } else {
        (is_out ? result_.out : result_.err).append(buffer, static_cast<size_t>(n));
      }
    }
    return out_open_ || err_open_;
  }

  Spawned child_;
  ProcessResult result_;
  bool running_ = true;
  bool out_open_ = true, err_open_ = true;
};

/// The path of a program this build made.
inline std::string BuiltProgram(const std::string& name) {
  return std::string(STARFORM_BINARY_DIR) + "/" + name;
}

}  // namespace starform::testing

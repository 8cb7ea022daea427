#pragma once

// Runs a program on a pseudo-terminal for end-to-end tests of what a person at the keyboard
// sees: prompts, answers typed in, Ctrl-C, and lines rewritten in place. Every wait is bounded,
// and the program is killed when the test lets go of it (a failed REQUIRE included).
// Test-only; header-only so any test binary can use it. openpty is in glibc's libc since 2.34
// (no -lutil).

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "testing/process.h"

namespace starform::testing {

/// |raw| terminal output with the "\r\n" the terminal makes of each "\n" (ONLCR) back to "\n",
/// so that text can be matched as the program wrote it. A lone "\r" (a line rewritten in place)
/// stays.
inline std::string Unterminal(const std::string& raw) {
  std::string text;
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '\r' && i + 1 < raw.size() && raw[i + 1] == '\n')
      continue;
    text += raw[i];
  }
  return text;
}

/// The lines a terminal shows once it has been given |output| (raw or Unterminal'd): "\r" goes
/// back to the start of the line, ESC [ K clears to its end, characters overwrite what is under
/// the cursor; other escape sequences are dropped. Lines are not wrapped at the window width.
inline std::vector<std::string> ScreenLines(const std::string& output) {
  std::vector<std::string> lines(1);
  size_t column = 0;
  for (size_t i = 0; i < output.size(); ++i) {
    char c = output[i];
    std::string& line = lines.back();
    if (c == '\n') {
      lines.emplace_back();
      column = 0;
    } else if (c == '\r') {
      column = 0;
    } else if (c == '\x1b' && i + 1 < output.size() && output[i + 1] == '[') {
      size_t end = i + 2;
      while (end < output.size() && !(output[end] >= '@' && output[end] <= '~'))
        ++end;
      if (end < output.size() && output[end] == 'K' && end == i + 2)
        line.erase(std::min(column, line.size()));
      i = end;
    } else {
      if (column >= line.size())
        line.resize(column + 1, ' ');
      line[column++] = c;
    }
  }
  if (lines.back().empty())
    lines.pop_back();
  return lines;
}

struct PtyOptions {
  unsigned short rows = 24;
  unsigned short columns = 100;
  /// "NAME=value" added to the inherited environment, replacing variables of the same name.
  std::vector<std::string> env;
};

/// A program running with a pseudo-terminal as its stdin, stdout, stderr and controlling
/// terminal (in its own session, as a shell's foreground job): the terminal's line discipline
/// echoes what is written, turns "\n" into "\r\n", and "\x03" into SIGINT for the program.
class PtyProcess {
 public:
  static constexpr std::chrono::milliseconds kTimeout{30000};

  PtyProcess(const std::vector<std::string>& argv, const PtyOptions& options = {}) {
    // Everything the child needs is made before fork: the test process has threads (the dev
    // cluster's), so the child may only make async-signal-safe calls until exec.
    std::vector<std::string> envs = ChildEnvironment(options.env);
    std::vector<char*> cargv = CStrings(argv), cenv = CStrings(envs);
    winsize size{};
    size.ws_row = options.rows;
    size.ws_col = options.columns;
    int terminal = -1;
    if (openpty(&master_, &terminal, nullptr, nullptr, &size) != 0)
      throw std::runtime_error("openpty failed");
    fcntl(master_, F_SETFD, FD_CLOEXEC);
    pid_ = fork();
    if (pid_ == 0) {
      setsid();
      ioctl(terminal, TIOCSCTTY, 0);
      dup2(terminal, 0);
      dup2(terminal, 1);
      dup2(terminal, 2);
      close_range(3, ~0U, 0);
      sigset_t none;
      sigemptyset(&none);
      sigprocmask(SIG_SETMASK, &none, nullptr);
      for (int s : {SIGINT, SIGTERM, SIGQUIT, SIGPIPE, SIGHUP})
        signal(s, SIG_DFL);
      execve(cargv[0], cargv.data(), cenv.data());
      _exit(127);
    }
    close(terminal);
    if (pid_ < 0) {
      close(master_);
      throw std::runtime_error("fork failed");
    }
  }

  ~PtyProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    close(master_);
  }
  PtyProcess(const PtyProcess&) = delete;
  PtyProcess& operator=(const PtyProcess&) = delete;

  /// Reads until the output (Unterminal'd) contains |text|, the program has closed the
  /// terminal, or |timeout| has passed. Returns all the output so far, Unterminal'd: the caller
  /// checks that |text| is in it.
  std::string WaitFor(const std::string& text, std::chrono::milliseconds timeout = kTimeout) {
    auto deadline = Clock::now() + timeout;
    while (Unterminal(raw_).find(text) == std::string::npos && ReadSome(deadline)) {
    }
    return Unterminal(raw_);
  }

  /// Types |input| on the terminal ("yes\n"; "\x03" is Ctrl-C).
  void Write(const std::string& input) {
    size_t written = 0;
    while (written < input.size()) {
      ssize_t n = write(master_, input.data() + written, input.size() - written);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        throw std::runtime_error("writing to the terminal failed");
      written += static_cast<size_t>(n);
    }
  }

  /// Reads the rest of the output and waits for the program to end: its exit status, or 128 +
  /// the number of the signal that ended it. After |timeout| the program is killed and the
  /// result is -1.
  int Wait(std::chrono::milliseconds timeout = kTimeout) {
    auto deadline = Clock::now() + timeout;
    while (ReadSome(deadline)) {
    }
    int status = 0;
    while (pid_ > 0) {
      pid_t done = waitpid(pid_, &status, WNOHANG);
      if (done == pid_ || (done < 0 && errno != EINTR)) {
        pid_ = -1;
        if (done < 0)
          return -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      if (Clock::now() >= deadline) {
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
        pid_ = -1;
        return -1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return -1;
  }

  /// Everything read so far, exactly as the terminal gave it.
  const std::string& raw() const { return raw_; }
  /// Everything read so far, Unterminal'd.
  std::string text() const { return Unterminal(raw_); }

 private:
  using Clock = std::chrono::steady_clock;

  // Reads what is there, waiting until |deadline| for something. False once the program has
  // closed the terminal (Linux reports EIO) or at the deadline.
  bool ReadSome(Clock::time_point deadline) {
    if (closed_)
      return false;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0)
      return false;
    pollfd p{master_, POLLIN, 0};
    int ready = poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0)
      return errno == EINTR;
    if (ready == 0)
      return false;
    char buffer[4096];
    ssize_t n = read(master_, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR)
      return true;
    if (n <= 0) {
      closed_ = true;
      return false;
    }
    raw_.append(buffer, static_cast<size_t>(n));
    return true;
  }

  int master_ = -1;
  pid_t pid_ = -1;
  bool closed_ = false;
  std::string raw_;
};

}  // namespace starform::testing

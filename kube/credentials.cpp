#include "kube/credentials.h"

#include <mutex>
#include <optional>

#include <nlohmann/json.hpp>

#include "kube/base64.h"
#include "kube/exec_plugin.h"

namespace starform::kube {

using nlohmann::json;

namespace {

// A token, basic auth or a client certificate: nothing to refresh.
class StaticProvider : public CredentialProvider {
 public:
  explicit StaticProvider(Credentials credentials) : credentials_(std::move(credentials)) {
    credentials_.generation = 1;
  }
  Credentials Get() override { return credentials_; }
  bool OnUnauthorized(uint64_t) override { return false; }

 private:
  Credentials credentials_;
};

std::string TrimSpace(const std::string& s) {
  const char* space = " \t\r\n\v\f";
  size_t b = s.find_first_not_of(space);
  if (b == std::string::npos)
    return "";
  return s.substr(b, s.find_last_not_of(space) - b + 1);
}

// tokenFile: re-read at most once a minute, as client-go's cachingTokenSource does, and at
// once after a 401; the last good value stays in use if a re-read fails.
class TokenFileProvider : public CredentialProvider {
 public:
  TokenFileProvider(const RestConfig& config, const Env& env)
      : path_(config.token_file), env_(env) {
    base_.client_cert_pem = config.client_cert_pem;
    base_.client_key_pem = config.client_key_pem;
    if (!config.token.empty())
      token_ = config.token;  // used until the file is first read successfully
  }

  Credentials Get() override {
    std::lock_guard lock(mu_);
    auto now = env_.Now();
    if (!read_at_ || now - *read_at_ >= std::chrono::minutes(1))
      ReadLocked(now);
    Credentials out = base_;
    out.authorization = "Bearer " + token_;
    out.generation = generation_;
    return out;
  }

  bool OnUnauthorized(uint64_t generation) override {
    std::lock_guard lock(mu_);
    if (generation != generation_)
      return true;  // already re-read since that request went out
    uint64_t before = generation_;
    ReadLocked(env_.Now(), /*must_succeed=*/false);
    return generation_ != before;
  }

 private:
  void ReadLocked(std::chrono::system_clock::time_point now, bool must_succeed = true) {
    std::string text, error;
    if (!env_.ReadFile(path_, &text, &error)) {
      if (token_.empty() && must_succeed)
        throw CredentialError("cannot read token file: " + error);
      return;
    }
    std::string token = TrimSpace(text);
    if (token.empty()) {
      if (token_.empty() && must_succeed)
        throw CredentialError("read empty token from file \"" + path_ + "\"");
      return;
    }
    read_at_ = now;
    if (token != token_) {
      token_ = std::move(token);
      ++generation_;
    }
  }

  std::string path_;
  const Env& env_;
  std::mutex mu_;
  Credentials base_;
  std::string token_;
  uint64_t generation_ = 1;
  std::optional<std::chrono::system_clock::time_point> read_at_;
};

// An exec credential plugin: run on first use, cached until its expiry or a 401.
class ExecProvider : public CredentialProvider {
 public:
  ExecProvider(const RestConfig& config, const Env& env, bool stdin_is_terminal)
      : exec_(*config.exec),
        cluster_(config.exec_cluster),
        env_(env),
        terminal_(stdin_is_terminal) {}

  Credentials Get() override {
    std::lock_guard lock(mu_);
    auto now = env_.Now();
    if (cached_ && (!expiry_ || now <= *expiry_))
      return *cached_;
    ExecCredential got = RunExecPlugin(exec_, cluster_, terminal_);
    Credentials c;
    if (!got.token.empty())
      c.authorization = "Bearer " + got.token;
    c.client_cert_pem = std::move(got.client_certificate_data);
    c.client_key_pem = std::move(got.client_key_data);
    c.generation = ++generation_;
    expiry_ = got.expiration;
    cached_ = c;
    return c;
  }

  bool OnUnauthorized(uint64_t generation) override {
    std::lock_guard lock(mu_);
    if (cached_ && cached_->generation == generation)
      cached_.reset();
    return true;
  }

 private:
  ExecConfig exec_;
  json cluster_;
  const Env& env_;
  bool terminal_;
  std::mutex mu_;
  std::optional<Credentials> cached_;
  std::optional<std::chrono::system_clock::time_point> expiry_;
  uint64_t generation_ = 0;
};

}  // namespace

std::unique_ptr<CredentialProvider> NewCredentialProvider(const RestConfig& config, const Env& env,
                                                          bool stdin_is_terminal) {
  if (!config.token_file.empty())
    return std::make_unique<TokenFileProvider>(config, env);
  if (config.exec)
    return std::make_unique<ExecProvider>(config, env, stdin_is_terminal);
  Credentials c;
  if (!config.token.empty())
    c.authorization = "Bearer " + config.token;
  else if (!config.username.empty() || !config.password.empty())
    c.authorization = "Basic " + Base64Encode(config.username + ":" + config.password);
  c.client_cert_pem = config.client_cert_pem;
  c.client_key_pem = config.client_key_pem;
  return std::make_unique<StaticProvider>(std::move(c));
}

}  // namespace starform::kube

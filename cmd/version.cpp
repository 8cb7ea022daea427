#include <cstdio>
#include <memory>

#include "cmd/command.h"
#include "cmd/connection.h"

namespace starform {

// As `kubectl version`: the client's version, then the server's unless --client; a server that
// cannot be reached is an error after the client line.
Command AddVersionCommand(CLI::App& root, const GlobalOptions& globals) {
  struct State {
    ConnectionOptions connection;
    bool client_only = false;
  };
  auto state = std::make_shared<State>();
  Command command;
  command.app = root.add_subcommand("version", "Print the client and server versions");
  command.app->add_flag("--client", state->client_only, "Print the client version only");
  state->connection.AddTo(command.app);
  command.run = [state, &globals] {
    std::printf("Client Version: kubectl-starform %s\n", STARFORM_VERSION);
    if (state->client_only)
      return kExitOk;
    std::fflush(stdout);
    auto client = state->connection.Connect(globals);
    if (!client)
      return kExitError;
    kube::Result<nlohmann::json> version = client->GetJson("/version");
    if (!version) {
      std::fprintf(stderr, "error: %s\n", version.error().Describe().c_str());
      return kExitError;
    }
    std::printf("Server Version: %s\n", version.value().value("gitVersion", "").c_str());
    return kExitOk;
  };
  return command;
}

}  // namespace starform

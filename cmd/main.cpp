// kubectl-starform: the thin main. Everything it does lives in cmd/app.cpp and the subcommands.
#include "cmd/app.h"

int main(int argc, char** argv) {
  return starform::RunApp(argc, argv);
}

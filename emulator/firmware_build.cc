#include "emulator/firmware_build.h"

#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "emulator/harness_files.h"
#include "emulator/linker_script.h"

namespace tml::emu {
namespace {

namespace fs = std::filesystem;

Status WriteFile(const fs::path& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) return InvalidInput("cannot write {}", path.string());
  return Status::Ok();
}

// Runs argv without a shell (no quoting pitfalls) and returns its exit
// status; stdout and stderr both go to `output`.
StatusOr<int> RunCommand(const std::vector<std::string>& argv, std::string& output) {
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) return Internal("pipe() failed");
  const pid_t pid = fork();
  if (pid < 0) return Internal("fork() failed");
  if (pid == 0) {
    dup2(pipe_fds[1], STDOUT_FILENO);
    dup2(pipe_fds[1], STDERR_FILENO);
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  close(pipe_fds[1]);
  char buffer[4096];
  ssize_t n;
  while ((n = read(pipe_fds[0], buffer, sizeof buffer)) > 0) output.append(buffer, n);
  close(pipe_fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

}  // namespace

StatusOr<std::string> BuildFirmware(const FirmwareBuild& build) {
  if (build.sources.empty()) return InvalidInput("firmware build: no source files given");
  if (build.build_dir.empty()) return InvalidInput("firmware build: no build directory given");
  const fs::path dir = fs::absolute(build.build_dir);
  std::error_code ec;
  fs::create_directories(dir / "include", ec);
  if (ec) return InvalidInput("cannot create {}: {}", dir.string(), ec.message());

  TML_RETURN_IF_ERROR(WriteFile(dir / "link.ld", LinkerScript(build.profile)));
  TML_RETURN_IF_ERROR(WriteFile(dir / "include" / "tml_marker.h", HarnessMarkerH()));
  if (build.harness) {
    TML_RETURN_IF_ERROR(WriteFile(dir / "startup.c", HarnessStartupC()));
    TML_RETURN_IF_ERROR(WriteFile(dir / "syscalls.c", HarnessSyscallsC()));
  }

  const std::string elf = (dir / build.output_name).string();
  std::vector<std::string> argv = {build.compiler,
                                   "-mcpu=cortex-m4",
                                   "-mthumb",
                                   "-mfloat-abi=hard",
                                   "-mfpu=fpv4-sp-d16",
                                   build.optimization,
                                   "-g",
                                   "-ffunction-sections",
                                   "-fdata-sections",
                                   "-I" + (dir / "include").string()};
  for (const std::string& inc : build.include_dirs) argv.push_back("-I" + inc);
  for (const std::string& def : build.defines) argv.push_back("-D" + def);
  for (const std::string& flag : build.extra_flags) argv.push_back(flag);
  for (const std::string& src : build.sources) argv.push_back(src);
  if (build.harness) {
    argv.push_back((dir / "startup.c").string());
    argv.push_back((dir / "syscalls.c").string());
  }
  for (const char* flag : {"-nostartfiles", "--specs=nano.specs", "-Wl,--gc-sections"}) {
    argv.emplace_back(flag);
  }
  argv.push_back("-T" + (dir / "link.ld").string());
  argv.push_back("-lm");
  argv.push_back("-o");
  argv.push_back(elf);

  std::string output;
  TML_ASSIGN_OR_RETURN(int rc, RunCommand(argv, output));
  if (rc != 0) {
    std::string command;
    for (const std::string& a : argv) command += (command.empty() ? "" : " ") + a;
    if (rc == 127) {
      return InvalidInput("firmware build: cannot run '{}' (install gcc-arm-none-eabi)",
                          build.compiler);
    }
    return InvalidInput("firmware build failed (exit {}): {}\n{}", rc, command, output);
  }
  return elf;
}

}  // namespace tml::emu

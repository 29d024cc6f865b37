/* Minimal newlib system calls over Arm semihosting, so printf() output of
 * firmware run in tinyml-compile's emulator is captured as its stdout. All
 * are weak: firmware with its own retargeting wins. */
#include <errno.h>
#include <stdint.h>
#include <sys/stat.h>

extern char __tml_heap_start[];
extern char __tml_heap_end[];

static int tml_semihost(int op, const void* param) {
  register int r0 __asm__("r0") = op;
  register const void* r1 __asm__("r1") = param;
  __asm volatile("bkpt #0xab" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

__attribute__((weak)) int _write(int fd, const char* buf, int len) {
  uint32_t block[3] = {(uint32_t)fd, (uint32_t)(uintptr_t)buf, (uint32_t)len};
  return len - tml_semihost(0x05 /* SYS_WRITE */, block);
}

__attribute__((weak, noreturn)) void _exit(int status) {
  uint32_t block[2] = {0x20026 /* ADP_Stopped_ApplicationExit */, (uint32_t)status};
  for (;;) tml_semihost(0x20 /* SYS_EXIT_EXTENDED */, block);
}

__attribute__((weak)) void* _sbrk(int increment) {
  static char* brk = __tml_heap_start;
  if (increment > __tml_heap_end - brk) {
    errno = ENOMEM;
    return (void*)-1;
  }
  char* previous = brk;
  brk += increment;
  return previous;
}

__attribute__((weak)) int _read(int fd, char* buf, int len) {
  (void)fd; (void)buf; (void)len;
  return 0;
}
__attribute__((weak)) int _close(int fd) { (void)fd; return -1; }
__attribute__((weak)) int _lseek(int fd, int offset, int whence) {
  (void)fd; (void)offset; (void)whence;
  return 0;
}
__attribute__((weak)) int _fstat(int fd, struct stat* st) {
  (void)fd;
  st->st_mode = S_IFCHR;
  return 0;
}
__attribute__((weak)) int _isatty(int fd) { (void)fd; return 1; }
__attribute__((weak)) int _kill(int pid, int sig) {
  (void)pid; (void)sig;
  errno = EINVAL;
  return -1;
}
__attribute__((weak)) int _getpid(void) { return 1; }

/* Minimal Cortex-M4F start-up: vector table, FPU on, .data copied, .bss zeroed, main(). When
 * main returns, `bkpt #0` stops a debugger (or tinyml-compile's emulator) with its result in r0. */
#include <stdint.h>

extern uint32_t _data_load[], _data_start[], _data_end[], _bss_start[], _bss_end[], _stack_top[];
int main(void);
void Reset_Handler(void);

static void Fault_Handler(void) {
  for (;;) __asm volatile("bkpt #0xfe");
}

__attribute__((section(".vectors"), used)) static void (*const vectors[16])(void) = {
    (void (*)(void))(uintptr_t)_stack_top, Reset_Handler, Fault_Handler, Fault_Handler,
    Fault_Handler, Fault_Handler, Fault_Handler, 0, 0, 0, 0, Fault_Handler, Fault_Handler, 0,
    Fault_Handler, Fault_Handler,
};

void Reset_Handler(void) {
  *(volatile uint32_t *)0xE000ED88u |= 0xFu << 20; /* CPACR: CP10/CP11 full access */
  __asm volatile("dsb\n\tisb" ::: "memory");
  for (uint32_t *s = _data_load, *d = _data_start; d < _data_end;) *d++ = *s++;
  for (uint32_t *d = _bss_start; d < _bss_end;) *d++ = 0;
  int rc = main();
  for (;;) __asm volatile("mov r0, %0\n\tbkpt #0" : : "r"(rc) : "r0", "memory");
}

/* Reset code for firmware run by tinyml-compile's Cortex-M4 emulator (and
 * bootable on a real part with the same memory map).
 *
 * The vector table sits at the start of flash (section .isr_vector). On reset
 * the core loads SP from entry 0 and jumps to Reset_Handler, which enables
 * the FPU, copies .data from its flash image, zeroes .bss, calls main() and
 * then stops at `bkpt #0` with main's return value in r0. The emulator treats
 * that BKPT as the end of the program. Linker symbols come from the linker
 * script that BuildFirmware() generates from the target profile. */
#include <stdint.h>

extern uint32_t __tml_data_load[];
extern uint32_t __tml_data_start[];
extern uint32_t __tml_data_end[];
extern uint32_t __tml_bss_start[];
extern uint32_t __tml_bss_end[];
extern uint32_t __tml_stack_top[];

int main(void);
void Reset_Handler(void);

/* Exceptions are not delivered by the emulator; on hardware they park here. */
void Default_Handler(void) {
  for (;;) {
    __asm volatile("bkpt #0xfe");
  }
}

void NMI_Handler(void) __attribute__((weak, alias("Default_Handler")));
void HardFault_Handler(void) __attribute__((weak, alias("Default_Handler")));
void MemManage_Handler(void) __attribute__((weak, alias("Default_Handler")));
void BusFault_Handler(void) __attribute__((weak, alias("Default_Handler")));
void UsageFault_Handler(void) __attribute__((weak, alias("Default_Handler")));
void SVC_Handler(void) __attribute__((weak, alias("Default_Handler")));
void DebugMon_Handler(void) __attribute__((weak, alias("Default_Handler")));
void PendSV_Handler(void) __attribute__((weak, alias("Default_Handler")));
void SysTick_Handler(void) __attribute__((weak, alias("Default_Handler")));

__attribute__((section(".isr_vector"), used)) void (*const tml_vector_table[16])(void) = {
    (void (*)(void))(uintptr_t)__tml_stack_top,
    Reset_Handler,
    NMI_Handler,
    HardFault_Handler,
    MemManage_Handler,
    BusFault_Handler,
    UsageFault_Handler,
    0,
    0,
    0,
    0,
    SVC_Handler,
    DebugMon_Handler,
    0,
    PendSV_Handler,
    SysTick_Handler,
};

__attribute__((noreturn)) void Reset_Handler(void) {
  /* CPACR: full access to CP10 and CP11 (the FPU). */
  *(volatile uint32_t*)0xE000ED88u |= 0xFu << 20;
  __asm volatile("dsb\n\tisb" ::: "memory");

  const uint32_t* src = __tml_data_load;
  for (uint32_t* dst = __tml_data_start; dst < __tml_data_end;) *dst++ = *src++;
  for (uint32_t* dst = __tml_bss_start; dst < __tml_bss_end;) *dst++ = 0;

  int rc = main();
  for (;;) {
    __asm volatile("mov r0, %0\n\tbkpt #0" : : "r"(rc) : "r0", "memory");
  }
}

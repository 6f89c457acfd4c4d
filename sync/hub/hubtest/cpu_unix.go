//go:build unix

package hubtest

import "syscall"

// CPUSeconds is the processor time this process has used (user and
// system): on a busy machine it shows the cost of an operation better than
// the wall clock. Benchmarks report it per operation.
func CPUSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

//go:build !linux && !js

package main

func selfCPU() cpuTime    { return cpuTime{} }
func procCPU(int) cpuTime { return cpuTime{} }

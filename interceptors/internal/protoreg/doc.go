// Package protoreg tells which gRPC methods the program declares: those of services whose
// descriptors generated code linked into the program registered in protoregistry.GlobalFiles.
// Signals use it to keep names a caller made up (a scanner's random method names, arbitrary
// bytes) out of metric labels and span names.
package protoreg

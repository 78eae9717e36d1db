package protoreg

import (
	"sync"
	"sync/atomic"

	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
)

// Declared reports whether generated code linked into the program declares the method:
// protoc-gen-go registers the descriptors of every .proto file in protoregistry.GlobalFiles
// when its package is initialised.
func Declared(service, method string) bool {
	sd, ok := linkedServices.lookup(service)
	return ok && sd.Methods().ByName(protoreflect.Name(method)) != nil
}

// linkedServices indexes the services of protoregistry.GlobalFiles by full name, so that a
// name costs one map lookup whatever its length or number of dots (protoregistry's own lookup
// by name tries every parent of a name it does not find).
var linkedServices serviceIndexCache

type serviceIndexCache struct {
	mu      sync.Mutex // serialises rebuilds
	current atomic.Pointer[serviceIndex]
}

// serviceIndex is the services of protoregistry.GlobalFiles when it held numFiles files.
type serviceIndex struct {
	numFiles int
	services map[string]protoreflect.ServiceDescriptor
}

// lookup finds a service. It rebuilds the index when the service is missing and files were
// registered since the index was built: how often that happens depends on the program, not
// on its callers.
func (c *serviceIndexCache) lookup(service string) (protoreflect.ServiceDescriptor, bool) {
	idx := c.current.Load()
	if idx != nil {
		if sd, ok := idx.services[service]; ok {
			return sd, true
		}
	}
	if idx == nil || idx.numFiles != protoregistry.GlobalFiles.NumFiles() {
		idx = c.rebuild()
	}
	sd, ok := idx.services[service]
	return sd, ok
}

func (c *serviceIndexCache) rebuild() *serviceIndex {
	c.mu.Lock()
	defer c.mu.Unlock()
	if idx := c.current.Load(); idx != nil && idx.numFiles == protoregistry.GlobalFiles.NumFiles() {
		return idx
	}
	idx := &serviceIndex{services: map[string]protoreflect.ServiceDescriptor{}}
	protoregistry.GlobalFiles.RangeFiles(func(fd protoreflect.FileDescriptor) bool {
		idx.numFiles++
		services := fd.Services()
		for i := range services.Len() {
			sd := services.Get(i)
			idx.services[string(sd.FullName())] = sd
		}
		return true
	})
	c.current.Store(idx)
	return idx
}

package views

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"hash"
	"math"
	"reflect"
	"time"
)

// Key digests values, every field of every struct they hold, exported or
// not, through pointers and slices, for a fragment's key: a field added to
// a view later is part of the key without anyone remembering to add it.
// It reports false for a value it cannot digest (a map with entries, a func, a
// channel, pointers nested too deep), and the fragment is then rendered
// without the cache.
func Key(values ...any) (string, bool) {
	h := sha256.New()
	for _, v := range values {
		if !digest(h, reflect.ValueOf(v), 0) {
			return "", false
		}
	}
	return base64.RawStdEncoding.EncodeToString(h.Sum(nil)[:18]), true
}

var timeType = reflect.TypeFor[time.Time]()

// maxDepth stops a walk that a cycle of pointers would make endless.
const maxDepth = 16

func digest(h hash.Hash, v reflect.Value, depth int) bool {
	if depth > maxDepth {
		return false
	}
	var b [8]byte
	word := func(n uint64) {
		binary.LittleEndian.PutUint64(b[:], n)
		h.Write(b[:])
	}
	if !v.IsValid() {
		h.Write([]byte{0})
		return true
	}
	if v.Type() == timeType && v.CanInterface() {
		t := v.Interface().(time.Time)
		word(uint64(t.UnixNano()))
		h.Write([]byte(t.Location().String()))
		return true
	}
	switch v.Kind() {
	case reflect.Bool:
		if v.Bool() {
			word(1)
		} else {
			word(0)
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		word(uint64(v.Int()))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		word(v.Uint())
	case reflect.Float32, reflect.Float64:
		word(math.Float64bits(v.Float()))
	case reflect.String:
		// The length first, so that "ab","c" and "a","bc" differ.
		word(uint64(v.Len()))
		h.Write([]byte(v.String()))
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			h.Write([]byte{0})
			return true
		}
		h.Write([]byte{1})
		return digest(h, v.Elem(), depth+1)
	case reflect.Slice, reflect.Array:
		word(uint64(v.Len()))
		for i := range v.Len() {
			if !digest(h, v.Index(i), depth+1) {
				return false
			}
		}
	case reflect.Map:
		// An empty map says nothing; a full one is not digested, as its
		// order changes from one walk to the next.
		if v.Len() > 0 {
			return false
		}
		h.Write([]byte{0})
	case reflect.Struct:
		for i := range v.NumField() {
			if !digest(h, v.Field(i), depth+1) {
				return false
			}
		}
	default:
		return false
	}
	return true
}

package bunstore

import (
	"strings"
	"testing"
)

func TestPayloadsStayUnderTheNotifyLimit(t *testing.T) {
	t.Parallel()
	var ids []string
	for i := 0; i < 1000; i++ {
		ids = append(ids, strings.Repeat("X", 25)+string(rune('a'+i%26)))
	}
	got := payloads(ids)
	if len(got) < 2 {
		t.Fatalf("%d payloads for 1000 ids of 26 bytes, want several", len(got))
	}
	n := 0
	for _, p := range got {
		if len(p) > maxPayload || !strings.HasPrefix(p, "e ") {
			t.Fatalf("payload of %d bytes starting %q", len(p), p[:10])
		}
		n += len(strings.Fields(p)) - 1
	}
	if n != len(ids) {
		t.Fatalf("%d ids packed, want %d", n, len(ids))
	}
	if got := payloads(nil); len(got) != 0 {
		t.Fatalf("payloads(nil) = %q", got)
	}
}

package protocol

import (
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
)

func TestIsIdentifier(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"company", true}, {"postal_code", true}, {"x2", true}, {"", false}, {"2x", false}, {"_x", false},
		{"Name", false}, {"na-me", false}, {"naïve", false}, {strings.Repeat("a", MaxNameLen), true},
		{strings.Repeat("a", MaxNameLen+1), false},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, IsIdentifier(tc.in), tc.in)
	}
}

func TestIsRecordID(t *testing.T) {
	id := uuid.Must(uuid.NewV7()).String()
	tests := []struct {
		in   string
		want bool
	}{
		{id, true}, {strings.ToUpper(id), false}, {"{" + id + "}", false}, {strings.ReplaceAll(id, "-", ""), false},
		{id[:35] + "g", false}, {"", false}, {"00000000-0000-0000-0000-000000000000", true},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, IsRecordID(tc.in), tc.in)
	}
}

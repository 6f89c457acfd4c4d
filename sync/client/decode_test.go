package client

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"repdesk/sync/protocol"
)

// The hand decoder reads pages as encoding/json does.
func TestDecodePagesLikeEncodingJSON(t *testing.T) {
	pull := `{"changes":[
	  {"op":"upsert","entity":"contact","id":"0190b5c2-6a7e-7c1a-9a55-2f4c1b0e8d11","seq":1402,"owner":"ann","territory":"north",
	   "created_at":"2025-03-01T09:12:00.000000Z","updated_at":"2025-03-02T10:00:00.5Z",
	   "fields":{"full_name":"Kari \"K\" Nordmann","notes":"line\nbreak \u00e6","tags":["vip"],"n":12,"x":null,"o":{"a":[1,{"b":"]"}]}},
	   "versions":{"full_name":1402,"tags":1400},"own":true,"future":{"ignored":[1,2]}},
	  {"op":"remove","entity":"deal","id":"0190b5c3-6a7e-7c1a-9a55-2f4c1b0e8d11","seq":1407},
	  {"op":"delete","entity":"deal","id":"0190b5c4-6a7e-7c1a-9a55-2f4c1b0e8d11","seq":1408,"owner":null,"versions":{}}],
	 "conflicts":[{"id":"c1","seq":1403,"kind":"field","entity":"contact","record_id":"r","field":"title","server":"a","client":"b","base_version":3,"server_version":4,"server_author":"ann","client_author":"bob","client_id":"x","mutation":4,"created_at":"2025-03-01T09:15:02.12Z"}],
	 "cursor":1408,"has_more":true}`
	var want, got wirePull
	require.NoError(t, json.Unmarshal([]byte(pull), &want))
	require.NoError(t, got.decodeRaw([]byte(pull)))
	require.Len(t, got.Changes, 3)
	assert.Equal(t, want, got)

	snap := ` { "until" : 9, "records" : [ ], "conflicts" : [ ], "next_after" : 0, "has_more" : false } `
	var wantS, gotS wireSnapshot
	require.NoError(t, json.Unmarshal([]byte(snap), &wantS))
	require.NoError(t, gotS.decodeRaw([]byte(snap)))
	assert.Equal(t, wantS.Until, gotS.Until)
	assert.Empty(t, gotS.Records)

	for _, bad := range []string{`{"changes":[{"seq":"x"}]}`, `{"changes":[{"op":"upsert"`, `{"cursor":1`, `[1]`,
		`{"changes":[{"versions":[1]}]}`, `{"has_more":"yes"}`} {
		var p wirePull
		assert.Error(t, p.decodeRaw([]byte(bad)), bad)
	}
}

func TestDecodePushAnswerLikeEncodingJSON(t *testing.T) {
	body := `{"last_mutation":47,"results":[
	  {"mutation":41,"status":"applied","seq":1402,"versions":{"full_name":1402,"tags":1402}},
	  {"mutation":44,"status":"conflict","seq":1207,"versions":{"title":1390},"conflicts":[{"id":"c","seq":1403,"kind":"field","entity":"company","record_id":"r","field":"name","server":"a","client":"b","base_version":1,"server_version":2,"server_author":"ann","client_author":"bob","client_id":"x","mutation":44,"created_at":"2025-03-01T09:15:02.12Z"}]},
	  {"mutation":45,"status":"rejected","reason":"outside \"your\" scope","duplicate":true},
	  {"mutation":47,"status":"applied","seq":1409,"versions":{"tags":1409},"values":{"tags":["vip","fair"]},"future":1}]}`
	var want protocol.PushResponse
	require.NoError(t, json.Unmarshal([]byte(body), &want))
	var got pushAnswer
	require.NoError(t, got.decodeRaw([]byte(body)))
	assert.Equal(t, want, protocol.PushResponse(got))
	for _, bad := range []string{`{"results":[{"seq":"1"}]}`, `{"results":[{"versions":{"a":"1"}}]}`, `{"last_mutation":true}`} {
		var p pushAnswer
		assert.Error(t, p.decodeRaw([]byte(bad)), bad)
	}
}

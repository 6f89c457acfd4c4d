package client

import "net/http"

// SetCrashHooks injects failures at the crash points: afterPushAnswer runs
// when a push's answer arrived, before it is stored; beforeCursor inside a
// pulled page's transaction, after the page is applied and before the
// cursor advances.
func SetCrashHooks(c *Client, afterPushAnswer, beforeCursor func() error) {
	c.hooks = hooks{afterPushAnswer: afterPushAnswer, beforeCursor: beforeCursor}
}

// BeforePull makes fn run between each sync's push and its pull: the rep
// typing while a sync runs.
func BeforePull(c *Client, fn func()) { c.hooks.beforePull = fn }

// SetProtocolVersion makes the client claim another protocol version.
func SetProtocolVersion(c *Client, v int) {
	c.rc = newResty(c.opts, v)
}

// HTTPClient is the client's HTTP client, for tests that count connections.
func HTTPClient(c *Client) *http.Client { return c.rc.GetClient() }

package bench

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/grpcobs/grpcobs/interceptors/statuspage"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
)

// The status page signal records both sides of every call, alone and in the full stack; with
// tracing in the stack it keeps the calls' trace ids.
func TestStatusPageSignal(t *testing.T) {
	for _, tc := range []struct {
		cfg       Config
		wantTrace bool
	}{
		{Config{Name: "grpcobs-statuspage", signals: []signal{grpcobsStatusPage()}}, false},
		{Config{Name: "grpcobs-full-statuspage", signals: []signal{
			grpcobsTracing(sampleAlways), grpcobsMetrics(), grpcobsLogging(logEverySuccess), grpcobsStatusPage(),
		}}, true},
	} {
		t.Run(tc.cfg.Name, func(t *testing.T) {
			var page *statuspage.Page
			defer func(orig func() (*statuspage.Page, error)) { newStatusPage = orig }(newStatusPage)
			newStatusPage = func() (*statuspage.Page, error) {
				p, err := statuspage.New()
				page = p
				return p, err
			}
			_, client := serve(t, tc.cfg, nil)
			for range 3 {
				if err := unaryCall(context.Background(), client); err != nil {
					t.Fatalf("unary call: %v", err)
				}
			}
			if _, err := client.Echo(context.Background(), &demov1.EchoRequest{FailCode: 13}); err == nil {
				t.Fatal("a call with fail_code 13 succeeded")
			}

			w := httptest.NewRecorder()
			page.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/?format=json", nil))
			var got struct{ Server, Client statusPageSide }
			if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
				t.Fatalf("the page's JSON: %v", err)
			}
			for name, sd := range map[string]statusPageSide{"server": got.Server, "client": got.Client} {
				if len(sd.Methods) != 1 || sd.Methods[0].Method != "Echo" || sd.Methods[0].Calls != 4 || sd.Methods[0].Errors != 1 {
					t.Errorf("%s rows %+v, want Echo: 4 calls, 1 error", name, sd.Methods)
				}
				if len(sd.RecentFailures) != 1 || (sd.RecentFailures[0].TraceID != "") != tc.wantTrace {
					t.Errorf("%s failures %+v, want one, with a trace id: %v", name, sd.RecentFailures, tc.wantTrace)
				}
			}
		})
	}
}

// statusPageSide is what TestStatusPageSignal reads of one side in the page's JSON.
type statusPageSide struct {
	Methods []struct {
		Method        string
		Calls, Errors int
	}
	RecentFailures []struct {
		TraceID string `json:"trace_id"`
	} `json:"recent_failures"`
}

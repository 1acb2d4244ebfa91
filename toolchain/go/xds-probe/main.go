// xds-probe asks istiod's plaintext xDS for what one proxy would be told, as Envoy asks it (SotW ADS: clusters, then
// listeners), and prints the resources as JSON. Each resource is checked with go-control-plane's Validate (the
// protoc-gen-validate rules Envoy enforces before it accepts a config), the HTTP connection managers inside the
// listeners too, and ACKed or NACKed as Envoy would. No Envoy runs here: this is what the control plane sends.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"sort"
	"time"

	cluster "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	core "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	listener "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	hcm "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	discovery "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	"google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"

	// Register every type istiod puts in a typed_config (its filters, and the TypedStructs of its Wasm/stats
	// extensions), so each prints in full.
	_ "github.com/cncf/xds/go/udpa/type/v1"
	_ "github.com/cncf/xds/go/xds/type/v3"
	_ "istio.io/istio/pkg/config/xds"
)

const (
	clusterType  = "type.googleapis.com/envoy.config.cluster.v3.Cluster"
	listenerType = "type.googleapis.com/envoy.config.listener.v3.Listener"
)

// Invalid is a resource Envoy would reject.
type Invalid struct {
	Type  string `json:"type"`
	Name  string `json:"name"`
	Error string `json:"error"`
}

// Output is what the probe prints.
type Output struct {
	Node      string            `json:"node"`
	Clusters  []json.RawMessage `json:"clusters"`
	Listeners []json.RawMessage `json:"listeners"`
	Invalid   []Invalid         `json:"invalid"`
}

type validator interface{ ValidateAll() error }

func main() {
	addr := flag.String("addr", "127.0.0.1:15010", "istiod's plaintext gRPC xDS address")
	node := flag.String("node", "", "node id: sidecar~<ip>~<pod>.<ns>~<ns>.svc.cluster.local or router~...")
	meta := flag.String("metadata", "{}", "node metadata as a JSON object (ISTIO_VERSION, NAMESPACE, LABELS, ...)")
	timeout := flag.Duration("timeout", 30*time.Second, "how long to wait for both responses")
	flag.Parse()
	if *node == "" {
		fail(2, "--node is required")
	}
	var fields map[string]any
	if err := json.Unmarshal([]byte(*meta), &fields); err != nil {
		fail(2, "--metadata: %v", err)
	}
	md, err := structpb.NewStruct(fields)
	if err != nil {
		fail(2, "--metadata: %v", err)
	}
	out, err := probe(*addr, &core.Node{Id: *node, Metadata: md}, *timeout)
	if err != nil {
		fail(1, "%v", err)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", " ")
	if err := enc.Encode(out); err != nil {
		fail(1, "%v", err)
	}
}

func fail(code int, format string, args ...any) {
	fmt.Fprintf(os.Stderr, "xds-probe: "+format+"\n", args...)
	os.Exit(code)
}

func probe(addr string, node *core.Node, timeout time.Duration) (*Output, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(1<<30)))
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	stream, err := discovery.NewAggregatedDiscoveryServiceClient(conn).StreamAggregatedResources(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", addr, err)
	}
	// Envoy's order: clusters first, then listeners; the node goes with the first request.
	for i, t := range []string{clusterType, listenerType} {
		req := &discovery.DiscoveryRequest{TypeUrl: t}
		if i == 0 {
			req.Node = node
		}
		if err := stream.Send(req); err != nil {
			return nil, fmt.Errorf("send %s: %w", t, err)
		}
	}
	out := &Output{Node: node.Id, Clusters: []json.RawMessage{}, Listeners: []json.RawMessage{}, Invalid: []Invalid{}}
	pending := map[string]bool{clusterType: true, listenerType: true}
	for len(pending) > 0 {
		resp, err := stream.Recv()
		if err != nil {
			return nil, fmt.Errorf("waiting for %v: %w", keys(pending), err)
		}
		if !pending[resp.TypeUrl] {
			continue
		}
		delete(pending, resp.TypeUrl)
		items, invalid, err := decode(resp)
		if err != nil {
			return nil, err
		}
		if resp.TypeUrl == clusterType {
			out.Clusters = items
		} else {
			out.Listeners = items
		}
		out.Invalid = append(out.Invalid, invalid...)
		ack := &discovery.DiscoveryRequest{TypeUrl: resp.TypeUrl, VersionInfo: resp.VersionInfo, ResponseNonce: resp.Nonce}
		if len(invalid) > 0 {
			ack.VersionInfo = ""
			ack.ErrorDetail = &status.Status{Code: 3, Message: fmt.Sprintf("%d invalid resources, first: %s", len(invalid), invalid[0].Error)}
		}
		if err := stream.Send(ack); err != nil {
			return nil, fmt.Errorf("ack %s: %w", resp.TypeUrl, err)
		}
	}
	return out, nil
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func decode(resp *discovery.DiscoveryResponse) ([]json.RawMessage, []Invalid, error) {
	items := []json.RawMessage{}
	invalid := []Invalid{}
	for _, any := range resp.Resources {
		var msg proto.Message
		var name string
		switch resp.TypeUrl {
		case clusterType:
			c := &cluster.Cluster{}
			if err := any.UnmarshalTo(c); err != nil {
				return nil, nil, err
			}
			msg, name = c, c.Name
		default:
			l := &listener.Listener{}
			if err := any.UnmarshalTo(l); err != nil {
				return nil, nil, err
			}
			msg, name = l, l.Name
			for _, e := range validateHCMs(l) {
				invalid = append(invalid, Invalid{Type: "HttpConnectionManager", Name: name, Error: e.Error()})
			}
		}
		if err := msg.(validator).ValidateAll(); err != nil {
			invalid = append(invalid, Invalid{Type: resp.TypeUrl, Name: name, Error: err.Error()})
		}
		b, err := protojson.Marshal(msg)
		if err != nil {
			return nil, nil, fmt.Errorf("%s %s: %w", resp.TypeUrl, name, err)
		}
		items = append(items, b)
	}
	return items, invalid, nil
}

// validateHCMs checks each HTTP connection manager of a listener: Validate does not look inside a typed_config.
func validateHCMs(l *listener.Listener) []error {
	var errs []error
	chains := append([]*listener.FilterChain{}, l.FilterChains...)
	if l.DefaultFilterChain != nil {
		chains = append(chains, l.DefaultFilterChain)
	}
	for _, fc := range chains {
		for _, f := range fc.Filters {
			tc := f.GetTypedConfig()
			if tc == nil || !tc.MessageIs(&hcm.HttpConnectionManager{}) {
				continue
			}
			h := &hcm.HttpConnectionManager{}
			if err := tc.UnmarshalTo(h); err != nil {
				errs = append(errs, err)
			} else if err := h.ValidateAll(); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errs
}

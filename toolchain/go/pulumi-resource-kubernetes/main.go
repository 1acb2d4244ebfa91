// Command pulumi-resource-kubernetes serves the Kubernetes provider from its Go module.
//
// Upstream's own main embeds schema files that `go generate` writes and the module does not ship, so it cannot be
// built from the module alone. This main calls the same Serve function; the build copies the module's schema.json and
// terraform-mapping.json next to the binary, and the schema's version is set here as upstream's generate step does.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"
)

func main() {
	dir, err := executableDir()
	if err == nil {
		var schema, mapping []byte
		if schema, err = versionedSchema(filepath.Join(dir, "kubernetes-schema.json")); err == nil {
			mapping, err = os.ReadFile(filepath.Join(dir, "kubernetes-terraform-mapping.json"))
			if err == nil {
				provider.Serve("kubernetes", version.Version, schema, mapping)
				return
			}
		}
	}
	fmt.Fprintln(os.Stderr, "pulumi-resource-kubernetes:", err)
	os.Exit(1)
}

func executableDir() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", err
	}
	exe, err = filepath.EvalSymlinks(exe)
	return filepath.Dir(exe), err
}

func versionedSchema(path string) ([]byte, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var spec map[string]any
	if err := json.Unmarshal(raw, &spec); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	spec["version"] = version.Version
	return json.Marshal(spec)
}

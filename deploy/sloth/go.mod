module github.com/grpcobs/grpcobs/deploy/sloth

go 1.26.8

require go.yaml.in/yaml/v3 v3.0.5

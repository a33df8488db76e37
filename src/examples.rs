//! The examples behind "Try an example": real output of real tools, shipped in static/examples
//! (see its README for how each was made) and compiled in, so they load offline in one click.

pub struct ExampleFile {
    pub name: &'static str,
    /// The media type the registry served the file with, or its descriptor names.
    pub media_type: &'static str,
    pub bytes: &'static [u8],
}

pub struct Example {
    pub id: &'static str,
    pub title: &'static str,
    pub files: &'static [ExampleFile],
    /// Two of `files` (by position) to put side by side in "Why do these digests differ?" when
    /// the example opens, for an example whose point is that comparison.
    pub compare: Option<(usize, usize)>,
}

pub const EXAMPLES: &[Example] = &[
    Example {
        id: "multi-platform",
        title: "A multi-platform image (OCI index, 3 platforms)",
        files: &[
            ExampleFile {
                name: "index.json",
                media_type: "application/vnd.oci.image.index.v1+json",
                bytes: include_bytes!("../static/examples/multi-platform/index.json"),
            },
            ExampleFile {
                name: "linux-amd64.manifest.json",
                media_type: "application/vnd.oci.image.manifest.v1+json",
                bytes: include_bytes!("../static/examples/multi-platform/linux-amd64.manifest.json"),
            },
            ExampleFile {
                name: "linux-amd64.config.json",
                media_type: "application/vnd.oci.image.config.v1+json",
                bytes: include_bytes!("../static/examples/multi-platform/linux-amd64.config.json"),
            },
            ExampleFile {
                name: "linux-arm64.manifest.json",
                media_type: "application/vnd.oci.image.manifest.v1+json",
                bytes: include_bytes!("../static/examples/multi-platform/linux-arm64.manifest.json"),
            },
            ExampleFile {
                name: "linux-arm64.config.json",
                media_type: "application/vnd.oci.image.config.v1+json",
                bytes: include_bytes!("../static/examples/multi-platform/linux-arm64.config.json"),
            },
            ExampleFile {
                name: "linux-arm-v7.manifest.json",
                media_type: "application/vnd.oci.image.manifest.v1+json",
                bytes: include_bytes!("../static/examples/multi-platform/linux-arm-v7.manifest.json"),
            },
            ExampleFile {
                name: "linux-arm-v7.config.json",
                media_type: "application/vnd.oci.image.config.v1+json",
                bytes: include_bytes!("../static/examples/multi-platform/linux-arm-v7.config.json"),
            },
        ],
        compare: None,
    },
    Example {
        id: "oci-vs-docker",
        title: "The same image as OCI and as Docker (same Image ID, different digests)",
        files: &[
            ExampleFile {
                name: "oci.manifest.json",
                media_type: "application/vnd.oci.image.manifest.v1+json",
                bytes: include_bytes!("../static/examples/oci-vs-docker/oci.manifest.json"),
            },
            ExampleFile {
                name: "docker.manifest.json",
                media_type: "application/vnd.docker.distribution.manifest.v2+json",
                bytes: include_bytes!("../static/examples/oci-vs-docker/docker.manifest.json"),
            },
            ExampleFile {
                name: "config.json",
                media_type: "application/vnd.oci.image.config.v1+json",
                bytes: include_bytes!("../static/examples/oci-vs-docker/config.json"),
            },
        ],
        compare: Some((0, 1)),
    },
    Example {
        id: "reindented",
        title: "One manifest, two serializations (compact vs 3-space indent)",
        files: &[
            ExampleFile {
                name: "compact.manifest.json",
                media_type: "application/vnd.oci.image.manifest.v1+json",
                bytes: include_bytes!("../static/examples/reindented/compact.manifest.json"),
            },
            ExampleFile {
                name: "indent3.manifest.json",
                media_type: "application/vnd.oci.image.manifest.v1+json",
                bytes: include_bytes!("../static/examples/reindented/indent3.manifest.json"),
            },
        ],
        compare: Some((0, 1)),
    },
    Example {
        id: "schema1",
        title: "A signed schema 1 manifest, fetched twice (new signature, same digest)",
        files: &[
            ExampleFile {
                name: "get1.manifest.json",
                media_type: "application/vnd.docker.distribution.manifest.v1+prettyjws",
                bytes: include_bytes!("../static/examples/schema1/get1.manifest.json"),
            },
            ExampleFile {
                name: "get2.manifest.json",
                media_type: "application/vnd.docker.distribution.manifest.v1+prettyjws",
                bytes: include_bytes!("../static/examples/schema1/get2.manifest.json"),
            },
        ],
        compare: Some((0, 1)),
    },
    Example {
        id: "founding-question",
        title: "Pulled from Docker Hub, pushed again: why is the digest different?",
        files: &[
            ExampleFile {
                name: "hub.list.json",
                media_type: "application/vnd.docker.distribution.manifest.list.v2+json",
                bytes: include_bytes!("../static/examples/founding-question/hub.list.json"),
            },
            ExampleFile {
                name: "hub.linux-amd64.manifest.json",
                media_type: "application/vnd.docker.distribution.manifest.v2+json",
                bytes: include_bytes!("../static/examples/founding-question/hub.linux-amd64.manifest.json"),
            },
            ExampleFile {
                name: "linux-amd64.config.json",
                media_type: "application/vnd.docker.container.image.v1+json",
                bytes: include_bytes!("../static/examples/founding-question/linux-amd64.config.json"),
            },
            ExampleFile {
                name: "pushed.manifest.json",
                media_type: "application/vnd.docker.distribution.manifest.v2+json",
                bytes: include_bytes!("../static/examples/founding-question/pushed.manifest.json"),
            },
        ],
        compare: Some((1, 3)),
    },
];

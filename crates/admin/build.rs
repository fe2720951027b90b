//! Compiles proto/admin.proto with protox (no protoc needed) into the tonic client and server.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let proto_dir = "../../proto";
    let files = [format!("{proto_dir}/admin.proto")];
    for f in &files {
        println!("cargo:rerun-if-changed={f}");
    }
    let fds = protox::compile(&files, [proto_dir])?;
    tonic_prost_build::configure()
        .build_client(true)
        .build_server(true)
        .bytes(".strata.admin.v1.MailMessage.data")
        .compile_fds(fds)?;
    Ok(())
}

//! With the `client` feature, registers `schema.graphql` so that the typed operations of
//! `ops` are checked against the contract at compile time (cynic).

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo:rerun-if-changed=build.rs");
    #[cfg(feature = "client")]
    {
        println!("cargo:rerun-if-changed=../schema.graphql");
        cynic_codegen::register_schema("madoguchi").from_sdl_file("../schema.graphql")?.as_default()?;
    }
    Ok(())
}

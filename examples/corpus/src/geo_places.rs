//! Points of interest: query parameters as delimited lists and doubles, a GeoJSON answer in
//! its own media type, opening hours as a map of patterned strings.

use std::collections::BTreeMap;

use codegen_runtime::Matching;
use poem::{Endpoint, Response};
use poem_openapi::auth::ApiKey;
use poem_openapi::payload::Json;

/// The code generated from `corpus/geo_places.yaml`.
pub mod api {
    include!(concat!(env!("OUT_DIR"), "/geo_places.rs"));
}

use api::*;

/// Two places in Lisbon.
pub struct Places(Vec<Place>);

impl Default for Places {
    fn default() -> Self {
        let place = |id: &str, name: &str, lng: f64, lat: f64, category: &str| Place {
            id: id.to_owned(),
            name: name.to_owned(),
            location: vec![lng, lat],
            address: Some(PlaceAddress {
                street: None,
                city: Some("Lisboa".to_owned()),
                postcode: None,
                country: Matching::new("PT".to_owned()),
            }),
            categories: Some(vec![category.to_owned()]),
            rating: Some(4.5),
            distance_m: None,
            hours: Some(BTreeMap::from([(
                "mon".to_owned(),
                vec![Matching::new("09:00-18:00".to_owned()).expect("a valid span")],
            )])),
            website: None,
        };
        Places(vec![
            place("belem", "Torre de Belém", -9.2160, 38.6916, "monument"),
            place("lx-factory", "LX Factory", -9.1783, 38.7037, "market"),
        ])
    }
}

/// Metres between two points (equirectangular: close enough at city scale).
fn distance(lng: f64, lat: f64, to: &[f64]) -> f64 {
    let x = (to[0] - lng).to_radians() * ((to[1] + lat) / 2.0).to_radians().cos();
    let y = (to[1] - lat).to_radians();
    6_371_000.0 * (x * x + y * y).sqrt()
}

impl Handlers for Places {
    async fn nearby_places(
        &self,
        _auth: ApiKey,
        lat: f64,
        lng: f64,
        radius: i64,
        categories: Option<Vec<String>>,
        _open_now: Option<bool>,
    ) -> NearbyPlacesResponse {
        let mut found: Vec<Place> = self
            .0
            .iter()
            .filter(|p| match &categories {
                Some(wanted) => p.categories.iter().flatten().any(|c| wanted.contains(c)),
                None => true,
            })
            .map(|p| Place {
                distance_m: Some(distance(lng, lat, &p.location).round()),
                ..p.clone()
            })
            .filter(|p| p.distance_m.unwrap_or_default() <= radius as f64)
            .collect();
        found.sort_by(|a, b| a.distance_m.partial_cmp(&b.distance_m).expect("finite"));
        NearbyPlacesResponse::Ok(Json(found))
    }

    async fn places_within(
        &self,
        _auth: ApiKey,
        bbox: Vec<f64>,
        limit: i64,
    ) -> PlacesWithinResponse {
        let inside = |p: &&Place| {
            (bbox[0]..=bbox[2]).contains(&p.location[0])
                && (bbox[1]..=bbox[3]).contains(&p.location[1])
        };
        let features = self
            .0
            .iter()
            .filter(inside)
            .take(usize::try_from(limit).unwrap_or(0))
            .map(|p| Feature {
                type_: FeatureType::Feature,
                id: Some(p.id.clone()),
                geometry: FeatureGeometry::Point(Point {
                    type_: PointType::Point,
                    coordinates: p.location.clone(),
                }),
                properties: BTreeMap::from([("name".to_owned(), p.name.clone().into())]),
            })
            .collect();
        PlacesWithinResponse::Ok(Json(FeatureCollection {
            type_: FeatureCollectionType::FeatureCollection,
            features,
        }))
    }

    async fn get_place(&self, _auth: ApiKey, place_id: String) -> GetPlaceResponse {
        match self.0.iter().find(|p| p.id == place_id) {
            Some(place) => GetPlaceResponse::Ok(Json(place.clone())),
            None => GetPlaceResponse::NotFound,
        }
    }
}

/// The API and its documents.
pub fn routes() -> impl Endpoint<Output = Response> {
    codegen_runtime::serve::serve_api(api::Api(Places::default()), api::DOCUMENT)
}

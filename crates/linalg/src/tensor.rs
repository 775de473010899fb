//! candle [`Tensor`]s at the notebook boundary: a `(rows, cols)` tensor
//! converts to a [`Matrix`] and back with `TryFrom`, copying once.

use crate::error::{LinalgError, Result};
use crate::matrix::Matrix;
use candle_core::{DType, Device, Tensor};
use hw6_exercise::ShapeError;

impl TryFrom<&Tensor> for Matrix {
    type Error = LinalgError;

    /// Copies a 2-D tensor (any float dtype, converted to `f32`).
    fn try_from(t: &Tensor) -> Result<Self> {
        let (rows, cols) = t.dims2().map_err(|_| {
            ShapeError::new(
                "Matrix::try_from(&Tensor)",
                "a 2-D tensor (rows, cols)",
                format!("{:?}", t.dims()),
            )
        })?;
        let data = t.to_dtype(DType::F32)?.flatten_all()?.to_vec1::<f32>()?;
        Matrix::from_vec(rows, cols, data)
    }
}

impl TryFrom<&Matrix> for Tensor {
    type Error = LinalgError;

    /// A `(rows, cols)` `f32` tensor on the CPU holding a copy.
    fn try_from(m: &Matrix) -> Result<Self> {
        m.to_tensor(&Device::Cpu)
    }
}

impl Matrix {
    /// A `(rows, cols)` `f32` tensor on `device` holding a copy.
    pub fn to_tensor(&self, device: &Device) -> Result<Tensor> {
        Ok(Tensor::from_slice(self.as_slice(), self.shape(), device)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_shape_errors() {
        let m = Matrix::from_fn(2, 3, |r, c| (r + c) as f32);
        let t = Tensor::try_from(&m).unwrap();
        assert_eq!(t.dims(), &[2, 3]);
        assert_eq!(Matrix::try_from(&t).unwrap(), m);
        let v = Tensor::zeros(4, DType::F64, &Device::Cpu).unwrap();
        let e = Matrix::try_from(&v).unwrap_err().to_string();
        assert!(e.contains("2-D"), "{e}");
    }
}
